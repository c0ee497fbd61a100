"""The Budgets page's form and gateway import call the budget services, and a drift finding's
Accept and Reject buttons call the drift services; bad input is an inline message, never a 500."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEntry
from discovery.models import Finding, UsageBudget
from tests.discovery.factories import FindingFactory
from tests.discovery.usage_factories import ModelUsageDayFactory
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db


def test_budget_form_sets_a_budget_with_an_audit_entry(as_officer):
    response = as_officer.post(
        reverse("discovery:budget-form"),
        {"scope": "team", "name": "Support", "monthly_tokens": "200000",
         "monthly_spend": "120.50", "model_allowlist": "gpt-4o*, claude-*"},
    )  # fmt: skip

    assert response.status_code == 302
    budget = UsageBudget.objects.get(scope="team", name="Support")
    assert (budget.monthly_tokens, budget.monthly_spend) == (200000, Decimal("120.50"))
    assert budget.model_allowlist == ["gpt-4o*", "claude-*"]
    assert AuditEntry.objects.filter(target_type="discovery.usagebudget").exists()


def test_budget_form_without_a_limit_shows_the_error_in_the_form(as_officer):
    response = as_officer.post(
        reverse("discovery:budget-form"),
        {"scope": "team", "name": "Support"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert (
        "Give a monthly token budget, a monthly spend budget or both." in response.content.decode()
    )
    assert not UsageBudget.objects.exists()


def test_budget_page_shows_burn_from_the_month_usage(as_officer):
    ModelUsageDayFactory(team="Support", input_tokens=60_000, output_tokens=20_000)
    UsageBudget.objects.create(scope="team", name="Support", monthly_tokens=100_000)

    response = as_officer.get(reverse("discovery:budget-list"), {"month": "2026-11"})

    [row] = response.context["rows"]
    assert row["burn"].percent == 80.0
    assert row["series"]["data"][1] == 80.0  # cumulative share on 2 November
    assert "80 %" in response.content.decode()


def test_litellm_budget_upload_imports_and_counts_skipped_rows(as_officer):
    rows = [
        {"team_id": "t-1", "team_alias": "Support", "max_budget": 50, "budget_duration": "30d",
         "models": ["gpt-4o"]},
        {"team_id": "t-2"},
    ]  # fmt: skip
    upload = SimpleUploadedFile("teams.json", json.dumps(rows).encode(), "application/json")

    response = as_officer.post(reverse("discovery:budget-import"), {"file": upload}, follow=True)

    text = response.content.decode()
    assert "1 new" in text and "1 skipped (no budget, rate limit or model list: 1)" in text
    budget = UsageBudget.objects.get(name="Support")
    assert budget.origin == "gateway" and budget.monthly_spend == Decimal("50.00")


def test_budget_upload_of_a_non_json_file_is_a_message(as_officer):
    upload = SimpleUploadedFile("teams.json", b"not json at all\n", "application/json")
    response = as_officer.post(reverse("discovery:budget-import"), {"file": upload}, follow=True)
    assert "The budget export is not JSON" in response.content.decode()


@pytest.fixture
def drift():
    system = AISystemFactory(
        name="Support bot", sanction_status="sanctioned", teams_using=["Support"]
    )
    return FindingFactory(
        kind=Finding.Kind.DRIFT,
        title="Drift on Support bot: team Legal not in the record",
        dedupe_key=f"drift:{system.pk}:teams:legal",
        system=system,
        evidence={"dimension": "teams", "value": "Legal", "proposal": {"teams_using": ["Legal"]}},
    )


def test_accept_updates_the_record_and_answers_with_the_decided_proposal(as_officer, drift):
    response = as_officer.post(
        reverse("discovery:drift-accept", args=[drift.pk]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert "record is updated" in response.content.decode()
    assert response.headers["HX-Trigger"] == '{"system-changed": {}}'  # the panels refresh
    drift.refresh_from_db()
    drift.system.refresh_from_db()
    assert drift.state == Finding.State.SANCTIONED
    assert drift.system.teams_using == ["Support", "Legal"]


def test_reject_needs_a_reason_and_then_dismisses(as_officer, drift):
    url = reverse("discovery:drift-reject", args=[drift.pk])
    first = as_officer.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert "Say why the record stays as it is." in first.content.decode()

    as_officer.post(url, {"reason": "Legal only reviewed a demo"}, HTTP_HX_REQUEST="true")

    drift.refresh_from_db()
    assert (drift.state, drift.dismiss_reason) == ("dismissed", "Legal only reviewed a demo")
    assert drift.system.teams_using == ["Support"]


def test_oauth_client_id_export_lists_the_blocked_apps_clients(as_officer):
    from discovery.models import BlocklistEntry
    from tests.discovery.usage_factories import OAuthGrantFactory

    OAuthGrantFactory(user="a@x.org", client_id="cid-1.apps.googleusercontent.com")
    BlocklistEntry.objects.create(domain="chatgpt.com", app_key="chatgpt")

    text = as_officer.get(reverse("discovery:blocklist-oauth-export")).content.decode()

    assert "cid-1.apps.googleusercontent.com  # ChatGPT (Google Workspace)" in text


def test_edit_link_draws_the_form_filled_with_the_budget(as_officer):
    budget = UsageBudget.objects.create(
        scope="key", name="hr-key", monthly_spend=Decimal("25.00"), model_allowlist=["gpt-4o*"],
        tpm_limit=10_000,
    )  # fmt: skip
    page = as_officer.get(reverse("discovery:budget-list")).content.decode()
    assert "10,000 tokens/min" in page

    form = as_officer.get(
        reverse("discovery:budget-form"), {"edit": budget.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert 'value="hr-key"' in form and 'value="25.00"' in form and 'value="gpt-4o*"' in form
