"""Controls mapped to regime obligations (status and sha256 evidence per system), assessment
answers linked to the risk or control they claim, and the literacy coverage as Art 4 evidence."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.services import assessment_start
from core.models import AuditEntry
from programme.content_loader import load_programme_content
from programme.links import answer_link_create, answer_link_delete
from programme.literacy import completions_import, training_module_create
from programme.models import AnswerLink
from programme.risk_services import risk_control_map, risk_control_update, risk_create
from programme.selectors import control_library, obligation_coverage, risk_categories
from regulations.models import ContentVersion
from regulations.services.classification import classification_run
from tests.assessments import factories, samples
from tests.assessments.factories import load_real_content
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lender():
    load_programme_content()
    load_real_content("co")
    system = AISystemFactory(
        name="LoanScore",
        jurisdictions=["CO"],
        domains=["lending_financial"],
        decision_role="substantial_factor",
        data_categories=["financial"],
    )
    classification_run(system=system)
    return system


def _row(system, obligation):
    return next(r for r in obligation_coverage(system=system) if r["obligation"] == obligation)


def test_a_triggered_obligation_lists_its_controls_and_their_evidence(lender, officer, storage_dir):
    row = _row(lender, "co-04")
    assert row["title"] == "Pre-use notice to consumers" and "6-1-1704" in row["citation"]
    a82 = next(c for c in row["controls"] if c["control"].code == "iso42001.A.8.2")
    assert a82["status"] == "" and row["implemented"] == 0
    risk = risk_create(
        actor=officer,
        data={"system": lender, "title": "Consumers not told", "category": risk_categories().first(),
              "likelihood": 3, "impact": 4},
    )  # fmt: skip
    mapping = risk_control_map(
        actor=officer, risk=risk, control=control_library().get(code="iso42001.A.8.2")
    )
    risk_control_update(
        actor=officer, mapping=mapping, status="implemented", note="Notice live",
        upload=SimpleUploadedFile("notice.pdf", samples.PDF),
    )  # fmt: skip
    row = _row(lender, "co-04")
    a82 = next(c for c in row["controls"] if c["control"].code == "iso42001.A.8.2")
    assert a82["status"] == "implemented" and row["implemented"] == 1
    assert [e.sha256 for e in a82["evidence"]] == [hashlib.sha256(samples.PDF).hexdigest()]


def test_the_mapping_page_and_the_system_panel_show_the_obligations(lender, as_auditor):
    page = as_auditor.get(reverse("programme:system-obligations", args=[lender.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="obligation-co-04"' in body and "iso42001.A.8.2" in body
    panel = as_auditor.get(reverse("inventory:system-detail", args=[lender.pk])).content.decode()
    assert 'id="system-obligations-link"' in panel


# --- Answer links ------------------------------------------------------------------------------


@pytest.fixture
def assessment(officer):
    system = factories.classified_system()
    load_programme_content()
    return assessment_start(actor=officer, system=system, template=factories.fria())


def _risk(officer, system=None, title="Bias against older applicants"):
    return risk_create(
        actor=officer,
        data={"system": system, "title": title, "category": risk_categories().first(),
              "likelihood": 2, "impact": 5},
    )  # fmt: skip


def test_an_answer_links_to_its_risk_and_control_audited_and_shown(assessment, officer, client):
    risk = _risk(officer, assessment.system)
    control = control_library().get(code="nist.measure-2.11")
    answer_link_create(actor=officer, assessment=assessment, question_id="a.frequency", risk=risk)
    answer_link_create(
        actor=officer, assessment=assessment, question_id="a.frequency", control=control,
        note="Quarterly bias test",
    )  # fmt: skip
    entries = AuditEntry.objects.filter(
        action="assessment.answer_link", target_id=str(assessment.pk)
    )
    assert entries.count() == 2
    client.force_login(officer)
    page = client.get(reverse("assessments:assessment-detail", args=[assessment.pk]))
    body = page.content.decode()
    assert 'id="answer-links"' in body
    assert "Bias against older applicants" in body and "nist.measure-2.11" in body
    assert "Quarterly bias test" in body


def test_an_answer_cannot_link_to_another_systems_risk_or_a_missing_question(assessment, officer):
    other = _risk(officer, AISystemFactory(), title="Someone else's")
    with pytest.raises(ValidationError, match="risk of this system"):
        answer_link_create(
            actor=officer, assessment=assessment, question_id="a.frequency", risk=other
        )
    with pytest.raises(ValidationError, match="no such question"):
        answer_link_create(
            actor=officer, assessment=assessment, question_id="nope", risk=_risk(officer)
        )
    with pytest.raises(ValidationError, match="one risk or to one control"):
        answer_link_create(actor=officer, assessment=assessment, question_id="a.frequency")
    assert not AnswerLink.objects.exists()


def test_linking_twice_is_refused_and_removing_is_audited(assessment, officer):
    risk = _risk(officer)  # organisation-wide risks may be claimed too
    link = answer_link_create(
        actor=officer, assessment=assessment, question_id="a.frequency", risk=risk
    )
    with pytest.raises(ValidationError, match="already linked"):
        answer_link_create(
            actor=officer, assessment=assessment, question_id="a.frequency", risk=risk
        )
    answer_link_delete(actor=officer, link=link)
    assert not AnswerLink.objects.exists()
    assert AuditEntry.objects.filter(action="assessment.answer_unlink").count() == 1


def test_link_form_posts_from_the_assessment_page(assessment, officer, client):
    risk = _risk(officer, assessment.system)
    client.force_login(officer)
    response = client.post(
        reverse("programme:answer-link-add", args=[assessment.pk]),
        {"question_id": "a.frequency", "risk": risk.pk, "control": "", "note": "see risk"},
    )
    assert response.status_code == 302
    assert AnswerLink.objects.get().risk == risk


def test_a_system_that_calls_tools_carries_owasp_controls_in_its_assessment(officer, client):
    load_programme_content()
    system = factories.classified_system()
    system.capabilities = ["tool_use"]
    system.save()
    assessment = assessment_start(actor=officer, system=system, template=factories.fria())
    client.force_login(officer)
    body = client.get(reverse("assessments:assessment-detail", args=[assessment.pk])).content
    assert b'id="carried-controls"' in body and b"owasp-llm.LLM06" in body


# --- Art 4 evidence ---------------------------------------------------------------------------


def test_the_eu_art4_obligation_shows_literacy_coverage_as_its_evidence(officer, as_auditor):
    from discovery.models import IdentityMapping

    load_programme_content()
    load_real_content("eu")
    cv = ContentVersion.objects.get(regime__code="eu", version="2024-1689-omnibus-r2")
    url = reverse("regulations:version-detail", args=["eu", cv.version])
    for person in ("ann@example.com", "bob@example.com"):
        IdentityMapping.objects.create(kind="user", identifier=person, person=person, team="Ops")
    body = as_auditor.get(url).content.decode()
    assert 'id="evidence-eu.2024-1689-omnibus-r2.obligation.eu-02"' in body
    assert "0 % of everyone known (0 of 2)" in body
    training_module_create(actor=officer, data={"title": "AI basics"})
    completions_import(
        actor=officer, content=b"email,module,date\nann@example.com,AI basics,2026-11-01\n",
        filename="lms.csv",
    )  # fmt: skip
    body = as_auditor.get(url).content.decode()
    assert "50 % of everyone known (1 of 2)" in body
    assert 'id="evidence-eu.2024-1689-omnibus-r2.obligation.eu-01"' not in body


def test_the_organisation_art4_deadline_shows_the_coverage_beside_it(officer, as_auditor):
    load_programme_content()
    load_real_content("eu")
    system = AISystemFactory(jurisdictions=["EU"], domains=["productivity"], decision_role="none")
    classification_run(system=system)
    body = as_auditor.get(reverse("regulations:deadline-list"), {"per_page": 100}).content.decode()
    row = next(r for r in body.split("<tr ") if "Art 4 literacy" in r)
    assert "AI-literacy coverage" in row and "of everyone known" in row
    assert body.count('class="deadline-evidence"') == 1  # only beside the Art 4 date


def test_a_control_is_recorded_for_the_system_without_a_risk(lender, officer, client, storage_dir):
    control = control_library().get(code="iso42001.A.8.2")
    client.force_login(officer)
    url = reverse("programme:system-control", args=[lender.pk, control.pk])
    response = client.post(
        url,
        {"status": "in_progress", "note": "Drafted",
         "evidence": SimpleUploadedFile("draft-notice.pdf", samples.PDF)},
    )  # fmt: skip
    assert response.status_code == 302
    row = _row(lender, "co-04")
    a82 = next(c for c in row["controls"] if c["control"].code == "iso42001.A.8.2")
    assert a82["status"] == "in_progress" and a82["evidence"][0].file_name == "draft-notice.pdf"
    client.post(url, {"status": "implemented", "note": "Live on the form"})  # the same row
    assert _row(lender, "co-04")["implemented"] == 1
    entries = AuditEntry.objects.filter(action="control.record").order_by("seq")
    assert [e.changes.get("status") for e in entries] == [
        [None, "in_progress"],
        ["in_progress", "implemented"],
    ]
    assert entries[0].changes["evidence"][1]["sha256"] == hashlib.sha256(samples.PDF).hexdigest()
    page = client.get(reverse("programme:system-obligations", args=[lender.pk])).content.decode()
    assert "draft-notice.pdf" in page and "Implemented" in page
    bad = client.post(url, {"status": "done-ish"})
    assert (
        bad.status_code == 302 and AuditEntry.objects.filter(action="control.record").count() == 2
    )
