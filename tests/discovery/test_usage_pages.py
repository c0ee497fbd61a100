"""The OAuth, gateway-usage and budget parts of the discovery pages and the system panel draw
computed figures from the rows, and say what to do when there are none."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from discovery.models import Finding
from discovery.selectors_usage import (
    model_allowed,
    oauth_app_rows,
    oauth_overview,
    observed_vs_recorded,
    system_model_usage,
    usage_day_rows,
    usage_series,
)
from tests.discovery.factories import FindingFactory
from tests.discovery.usage_factories import ModelUsageDayFactory, OAuthGrantFactory
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 2)


def test_oauth_rows_count_users_active_grants_and_scope_classes():
    OAuthGrantFactory(user="a@x.org", scope_classes=["files_read"])
    OAuthGrantFactory(user="b@x.org", scope_classes=["mail_read"], active=False)
    OAuthGrantFactory(user="a@x.org", source="entra_audit", client_id="app-2", scope_classes=[])
    OAuthGrantFactory(app_key="", app_name="Otter Notes", client_id="otter", user="c@x.org")

    rows = {r["group"]: r for r in oauth_app_rows()}

    chatgpt = rows["chatgpt"]
    assert (chatgpt["grants"], chatgpt["active"]) == (3, 2)
    assert chatgpt["scope_classes"] == ["mail_read", "files_read"]  # heaviest first
    assert chatgpt["risk"]["score"] >= 1 and chatgpt["risk"]["level"]
    assert sorted(chatgpt["client_ids"]) == [
        "1234567890-chatgpt.apps.googleusercontent.com",
        "app-2",
    ]
    assert "" not in rows  # Otter Notes is not an AI app the catalogue knows: counted apart
    assert oauth_overview()[1] == 1


def test_usage_series_fills_missing_days_with_zero_and_sums_per_team():
    ModelUsageDayFactory(day=DAY, team="Support", input_tokens=100, output_tokens=50)
    ModelUsageDayFactory(day=DAY, team="HR", identity="bo@x.org", input_tokens=10, output_tokens=0)
    ModelUsageDayFactory(
        day=DAY + dt.timedelta(days=2), team="Support", input_tokens=1, output_tokens=1
    )
    from discovery.models import ModelUsageDay

    series = usage_series(usage_day_rows(ModelUsageDay.objects.all()), by="team")

    assert series["labels"] == ["2026-11-02", "2026-11-03", "2026-11-04"]
    support = next(ds for ds in series["datasets"] if ds["label"] == "Support")
    assert support["tokens"] == [150, 0, 2]
    assert [t["name"] for t in series["totals"]] == ["Support", "HR"]
    assert series["totals"][0]["cost"] == Decimal("2.50")


def test_model_allowlist_globs():
    assert model_allowed("gpt-4o-mini", ["gpt-4o*"])
    assert not model_allowed("claude-3-opus", ["gpt-4o*"])
    assert model_allowed("gpt-4o-2024-08-06", ["gpt-4o"])  # a dated version of a listed model
    assert model_allowed("anything", [])


def test_observed_vs_recorded_marks_unrecorded_teams_models_and_regions():
    system = AISystemFactory(
        teams_using=["Support"], models_used=["gpt-4o"], data_regions=["eu-west-1"]
    )
    ModelUsageDayFactory(system=system, team="Support", model="gpt-4o", region="eu-west-1")
    ModelUsageDayFactory(system=system, team="HR", model="claude-3-haiku", region="us-east-1",
                         identity="bo@x.org")  # fmt: skip

    observed = observed_vs_recorded(system=system, today=DAY)

    unrecorded = {s["key"]: [o["value"] for o in s["unrecorded"]] for s in observed["sections"]}
    assert unrecorded == {"team": ["HR"], "model": ["claude-3-haiku"], "region": ["us-east-1"]}
    assert observed["volume"]["users"] == 2


def test_overview_lists_oauth_apps_with_scope_classes(as_officer, catalog):
    OAuthGrantFactory(user="a@x.org", scope_classes=["mail_read", "offline_access"])

    html = as_officer.get(reverse("discovery:overview")).content.decode()

    assert "Connected by OAuth" in html
    assert "Mail and messages (read)" in html and "Offline access (refresh token)" in html
    assert reverse("discovery:app-detail", args=["chatgpt"]) in html


def test_overview_without_grants_says_what_to_upload(as_officer, catalog):
    html = as_officer.get(reverse("discovery:overview")).content.decode()
    assert "No OAuth grants yet — upload a Google Workspace token activity export" in html


def test_app_page_shows_grants_and_tokens_per_team_and_model(as_officer, catalog):
    OAuthGrantFactory(app_key="openai-api-platform", user="a@x.org", active=False)
    ModelUsageDayFactory(team="Support", model="gpt-4o")
    ModelUsageDayFactory(team="Legal", model="gpt-4o-mini", identity="bo@x.org")

    response = as_officer.get(reverse("discovery:app-detail", args=["openai-api-platform"]))

    html = response.content.decode()
    assert 'id="grant-table"' in html and "Revoked" in html
    assert 'data-testid="usage-by-team"' in html and 'data-testid="usage-by-model"' in html
    assert "gpt-4o-mini" in html and "Legal" in html
    assert response.context["by_team"]["totals"][0]["tokens"] == 1500


def test_app_page_without_gateway_logs_says_what_to_upload(as_officer, catalog):
    html = as_officer.get(reverse("discovery:app-detail", args=["chatgpt"])).content.decode()
    assert "No gateway logs for ChatGPT yet" in html


def test_system_page_shows_observed_vs_recorded_allowlist_and_drift(as_officer, catalog):
    system = AISystemFactory(
        teams_using=["Support"], models_used=["gpt-4o"], model_allowlist=["gpt-4o"]
    )
    ModelUsageDayFactory(system=system, team="HR", model="claude-3-haiku")
    FindingFactory(
        kind=Finding.Kind.DRIFT,
        title=f"HR uses {system.name}",
        dedupe_key=f"drift:{system.pk}:teams:hr",
        system=system,
        evidence={"dimension": "teams", "value": "HR", "proposal": {"teams_using": ["HR"]}},
    )

    html = as_officer.get(reverse("inventory:system-detail", args=[system.pk])).content.decode()

    assert 'id="observed-vs-recorded"' in html
    assert "Not on the allowlist" in html and "called outside it: claude-3-haiku" in html
    assert 'data-testid="drift-proposal"' in html and "<ins>HR</ins>" in html
    assert reverse("discovery:drift-accept", args=[Finding.objects.get().pk]) in html


def test_system_named_on_a_gateway_without_its_logs_says_what_to_do(as_officer):
    system = AISystemFactory(gateway_aliases=["support-bot"])
    html = as_officer.get(reverse("inventory:system-detail", args=[system.pk])).content.decode()
    assert 'data-testid="gateway-empty"' in html
    assert system_model_usage(system=system).count() == 0


def test_system_page_burns_down_the_budgets_of_its_teams(as_officer):
    from tests.discovery.usage_factories import UsageBudgetFactory

    system = AISystemFactory(gateway_aliases=["support-bot"])
    ModelUsageDayFactory(system=system, team="Support", input_tokens=40_000, output_tokens=10_000)
    UsageBudgetFactory(name="Support", monthly_tokens=100_000, monthly_spend=None)

    response = as_officer.get(reverse("inventory:system-detail", args=[system.pk]))

    html = response.content.decode()
    assert 'data-budget="team:Support"' in html and "50 %" in html
    assert f'id="sys-{system.pk}-burn"' in html  # the burn-down chart's data
