"""Risk register, controls content and the heat map."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.urls import reverse

from core.models import AuditEntry
from programme.content_loader import CONTENT_DIR, load_file, load_programme_content
from programme.models import ContentVersion, Control, ControlEvidence, RightsRule, RiskCategory
from programme.risk_services import risk_control_map, risk_control_update, risk_create, risk_update
from programme.selectors import control_library, controls_for_system, heat_map, risk_categories
from tests.assessments import samples
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def content():
    load_programme_content()


def cell(heat, likelihood, impact):
    row = next(r for r in heat["rows"] if r["likelihood"] == likelihood)
    return row["cells"][impact - 1]["count"]


def test_content_loads_once_with_citations_and_a_changed_version_is_refused(tmp_path):
    load_programme_content()
    load_programme_content()  # identical: a no-op
    assert ContentVersion.objects.count() == len(list(CONTENT_DIR.glob("*/*.yaml")))
    assert RiskCategory.objects.filter(code="iso.level-of-automation").exists()
    owasp = control_library().get(code="owasp-llm.LLM01")
    assert owasp.title == "Prompt injection" and "LLM01:2025" in owasp.citation and owasp.test
    assert Control.objects.filter(code__startswith="iso42001.A.").count() >= 10
    assert RightsRule.objects.get(code="ccpa.access").response == {"days": 45}
    assert all(c.citation and c.url.startswith("https://") for c in Control.objects.all())
    changed = tmp_path / "controls" / "2026-12.yaml"
    changed.parent.mkdir()
    changed.write_text((CONTENT_DIR / "controls" / "2026-12.yaml").read_text() + "\n# edited\n")
    with pytest.raises(CommandError, match="new version"):
        load_file(changed)
    bad = tmp_path / "rights" / "2027-01.yaml"
    bad.parent.mkdir()
    bad.write_text("kind: rights\nversion: '2027-01'\ntitle: t\nitems:\n- code: x\n  title: y\n")
    with pytest.raises(CommandError, match="items.0.citation"):
        load_file(bad)


def test_risks_are_audited_and_move_the_heat_map(content, officer):
    system = AISystemFactory()
    category = risk_categories().get(code="nist.fair")
    before = heat_map(risks=system.risks.all())
    assert before["total"] == 0
    risk = risk_create(
        actor=officer,
        data={"system": system, "title": "Biased screening", "category": category,
              "likelihood": 4, "impact": 5, "owner": officer},
    )  # fmt: skip
    assert risk.inherent_score == 20 and risk.residual_score is None
    heat = heat_map(risks=system.risks.all())
    assert heat["total"] == 1 and cell(heat, 4, 5) == 1
    risk_update(actor=officer, risk=risk, data={"residual_likelihood": 2, "residual_impact": 3})
    heat = heat_map(risks=system.risks.all())
    assert cell(heat, 4, 5) == 0 and cell(heat, 2, 3) == 1
    entries = AuditEntry.objects.filter(target_type="programme.risk", target_id=str(risk.pk))
    assert [e.action for e in entries.order_by("seq")] == ["risk.create", "risk.update"]
    assert entries.order_by("seq").last().changes["residual_impact"] == [None, 3]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        risk_update(
            actor=officer, risk=risk, data={"residual_likelihood": 1, "residual_impact": None}
        )
    with pytest.raises(ValidationError):
        risk_create(
            actor=officer, data={"title": "x", "category": category, "likelihood": 6, "impact": 1}
        )


def test_control_mapping_with_evidence_in_the_blob_store(content, officer, storage_dir):
    category = risk_categories().get(code="nist.secure-resilient")
    risk = risk_create(
        actor=officer,
        data={
            "title": "Prompt injection via uploads",
            "category": category,
            "likelihood": 3,
            "impact": 4,
        },
    )
    control = control_library().get(code="owasp-llm.LLM01")
    mapping = risk_control_map(actor=officer, risk=risk, control=control)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already mapped"):
        risk_control_map(actor=officer, risk=risk, control=control)
    upload = SimpleUploadedFile("injection-suite.pdf", samples.PDF)
    risk_control_update(
        actor=officer, mapping=mapping, status="implemented", note="", upload=upload
    )
    evidence = ControlEvidence.objects.get(mapping=mapping)
    assert evidence.sha256 == hashlib.sha256(samples.PDF).hexdigest()
    assert (storage_dir / "blobs").exists()
    entry = AuditEntry.objects.filter(action="risk.control_update").get()
    assert entry.changes["status"] == ["planned", "implemented"]
    assert entry.changes["evidence"][1]["sha256"] == evidence.sha256


def test_generative_systems_carry_the_owasp_controls(content):
    chat = AISystemFactory(model_type="generative_app")
    scorer = AISystemFactory(model_type="ml_classifier")
    carried = {c.code for c in controls_for_system(system=chat)}
    assert carried >= {"owasp-llm.LLM01", "owasp-llm.LLM02"}
    # excessive agency and vector-store weaknesses need tools or retrieval
    assert not carried & {"owasp-llm.LLM06", "owasp-llm.LLM08"}
    assert controls_for_system(system=scorer) == []


@pytest.mark.parametrize(
    ("capability", "gains", "lacks"),
    [
        ("tool_use", "owasp-llm.LLM06", "owasp-llm.LLM08"),
        ("retrieval", "owasp-llm.LLM08", "owasp-llm.LLM06"),
    ],
)
def test_a_system_that_calls_tools_or_retrieves_carries_the_matching_owasp_controls(
    content, capability, gains, lacks
):
    agent = AISystemFactory(model_type="ml_classifier", capabilities=[capability])
    carried = {c.code for c in controls_for_system(system=agent)}
    assert {"owasp-llm.LLM01", gains} <= carried
    assert lacks not in carried
    assert all(c.content.version == "2026-12-r2" for c in controls_for_system(system=agent))


def test_pages_register_and_system_panel(content, as_officer, officer):
    system = AISystemFactory(model_type="generative_app")
    category = risk_categories().get(code="nist.privacy")
    response = as_officer.post(
        reverse("programme:risk-create"),
        {"system": system.pk, "title": "Chat leaks customer data", "category": category.pk,
         "likelihood": 3, "impact": 4, "treatment": "mitigate", "status": "open"},
    )  # fmt: skip
    assert response.status_code == 302
    page = as_officer.get(reverse("programme:risk-list")).content.decode()
    assert "Chat leaks customer data" in page and 'data-cell="3-4"' in page
    assert 'data-total="1"' in page
    detail = as_officer.get(reverse("inventory:system-detail", args=[system.pk])).content.decode()
    assert 'id="system-heat-map" data-total="1"' in detail and "owasp-llm.LLM01" in detail
    bad = as_officer.post(reverse("programme:risk-create"), {"title": "", "likelihood": 9})
    assert bad.status_code == 400
