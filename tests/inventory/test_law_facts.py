"""The facts the law turns on (issue 14 §3): in the form with help text citing the section, in CSV/XLSX import
and export, in the API, and in AISystem.facts() for the engine."""

import io

import pandas as pd
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEntry
from inventory.forms import AISystemForm
from inventory.models import AISystem
from inventory.transfer import COLUMNS, export_bytes, import_systems
from regulations.conditions import SYSTEM_FACTS
from regulations.forms import OrganisationForm
from regulations.models import Organisation
from regulations.services import organisation_update
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db

NEW_FACTS = [
    "purposes", "art6_3_narrow_procedural", "art6_3_improves_human_activity", "art6_3_detects_patterns",
    "art6_3_preparatory", "art25_own_name", "art25_substantial_modification", "art25_repurposed_high_risk",
    "open_source", "placed_on_market_on", "significant_design_change", "use_started_on",
    "systematic_observation", "employment_decision_kind", "insurer_regulated_use", "hipaa_covered_use",
    "federally_approved_use", "regulated_creditor_notice", "ferpa_process", "informational_chatbot_excluded",
]  # fmt: skip
# Each fact's help text names the law that reads it.
LAW_WORDS = ("Art ", "Annex III", "C.R.S.", "CCR", "PA 26-15")


@pytest.mark.parametrize("name", NEW_FACTS)
def test_every_new_fact_is_in_the_form_export_facts_and_cites_its_section(name):
    field = AISystemForm().fields[name]
    assert any(word in str(field.help_text) for word in LAW_WORDS), field.help_text
    assert name in COLUMNS
    assert name in SYSTEM_FACTS
    assert name in AISystem().facts()


@pytest.mark.parametrize(
    "name",
    [
        "agency_state",
        "org_unit",
        "md_exempt_unit",
        "revenue_incl_affiliates_usd",
        "business_status",
    ],
)
def test_every_new_org_fact_is_in_the_profile_form_and_cites_its_section(name):
    field = OrganisationForm().fields[name]
    assert any(word in str(field.help_text) for word in ("§", "Code")), field.help_text
    assert name in Organisation.get().facts()


def test_csv_round_trip_keeps_the_new_facts(officer):
    AISystemFactory(
        name="CV ranker",
        purposes=["recruitment_selection"],
        employment_decision_kind="consequential",
        use_started_on="2026-03-01",
        placed_on_market_on="2025-06-30",
        hipaa_covered_use=True,
        art6_3_preparatory=True,
    )
    frame = pd.read_csv(
        io.BytesIO(export_bytes(AISystem.objects.all(), "csv")), dtype=str, keep_default_na=False
    )
    row = frame.iloc[0]
    assert row["purposes"] == "recruitment_selection"
    assert row["use_started_on"] == "2026-03-01" and row["placed_on_market_on"] == "2025-06-30"
    assert row["hipaa_covered_use"] == "True" and row["systematic_observation"] == "False"
    frame.loc[0, "purposes"] = "recruitment_selection, creditworthiness"
    frame.loc[0, "systematic_observation"] = "yes"
    frame.loc[0, "employment_decision_kind"] = "scheduling"
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    result = import_systems(actor=officer, content=buffer.getvalue().encode(), filename="s.csv")
    assert result.ok, (result.file_errors, result.row_errors)
    system = AISystem.objects.get(name="CV ranker")
    assert system.purposes == ["recruitment_selection", "creditworthiness"]
    assert system.systematic_observation is True
    assert system.employment_decision_kind == "scheduling"
    assert str(system.use_started_on) == "2026-03-01"


def test_import_reports_a_bad_fact_value_as_a_row_error(officer):
    text = "name,model_type,purposes,use_started_on,ferpa_process\nX,rules,astrology,2026-13-01,maybe\n"
    result = import_systems(actor=officer, content=text.encode(), filename="s.csv")
    assert not result.ok and result.created == 0
    messages = " ".join(result.row_errors[0].messages)
    assert "purposes" in messages and "use_started_on" in messages and "ferpa_process" in messages


def test_api_writes_and_reads_the_new_facts(officer):
    api = APIClient()
    api.force_authenticate(officer)
    response = api.post(
        reverse("api-system-list"),
        {
            "name": "Benefits triage",
            "model_type": "ml_classifier",
            "purposes": ["public_benefits_eligibility"],
            "use_started_on": "2027-02-01",
            "art25_own_name": True,
            "employment_decision_kind": "",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["purposes"] == ["public_benefits_eligibility"] and body["art25_own_name"] is True
    assert body["facts"]["use_started_on"] == "2027-02-01"
    assert body["facts"]["employment_decision_kind"] is None
    system = AISystem.objects.get(name="Benefits triage")
    assert AuditEntry.objects.filter(action="system.create", target_id=str(system.pk)).exists()
    bad = api.post(
        reverse("api-system-list"),
        {"name": "Y", "model_type": "rules", "purposes": ["astrology"]},
        format="json",
    )
    assert bad.status_code == 400 and "purposes" in bad.json()


def test_org_facts_are_saved_audited_and_read_by_the_engine(admin_user):
    organisation_update(
        actor=admin_user,
        data={
            "agency_state": "MD",
            "md_exempt_unit": "comptroller",
            "business_status": "nonprofit",
            "revenue_incl_affiliates_usd": 700_000_000,
        },
    )
    facts = Organisation.get().facts()
    assert facts["agency_state"] == "MD" and facts["md_exempt_unit"] == "comptroller"
    assert (
        facts["business_status"] == "nonprofit"
        and facts["revenue_incl_affiliates_usd"] == 700_000_000
    )
    entry = AuditEntry.objects.filter(action="organisation.update").latest("pk")
    assert entry.changes["agency_state"] == ["", "MD"]


def test_org_form_refuses_a_malformed_state():
    form = OrganisationForm(
        data={
            "name": "X",
            "org_kind": "state_agency",
            "employees": 1,
            "annual_revenue_usd": 0,
            "consumers_personal_data": 0,
            "consumers_sensitive_data": 0,
            "revenue_share_from_selling_data": 0,
            "agency_state": "Maryland",
        }
    )
    assert not form.is_valid() and "agency_state" in form.errors


def test_the_edit_page_shows_the_fact_sections_with_their_citations(client, officer):
    from tests.conftest import PASSWORD

    client.login(username=officer.username, password=PASSWORD)
    html = client.get(reverse("inventory:system-create")).content.decode()
    for text in ("EU AI Act facts", "US state facts", "Art 6(3)(a)", "C.R.S. 6-1-1708(3)",
                 "11 CCR §7150(b)(4)", "Annex III 4(a)", 'type="date"'):  # fmt: skip
        assert text in html, text
