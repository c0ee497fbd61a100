"""Budgets: set in Sightline (audited) or read from a LiteLLM export, burned down from gateway
usage, and alerting at 80 % and 100 % once per budget, month and threshold."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import call_command

from core.inbox import inbox_for
from core.models import AuditEntry
from discovery.engine.oauth import SCOPES_FILE
from discovery.mappings import domain_for_team, scope_class_categories, team_domain_hints
from discovery.models import Finding, ModelUsageDay, UsageBudget
from discovery.services.budgets import (
    budget_alerts,
    budget_burn,
    budget_set,
    litellm_budgets_import,
)
from discovery.services.triage import finding_dismiss
from inventory import vocab

pytestmark = pytest.mark.django_db


def usage(day: dt.date, *, team: str = "Sales", key: str = "k1", tokens: int = 0, cost="0"):
    moment = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    return ModelUsageDay.objects.create(
        source="litellm",
        app_key="openai-api-platform",
        identity=f"u{day.day}",
        team=team,
        key_alias=key,
        model="gpt-4o",
        day=day,
        requests=1,
        input_tokens=tokens,
        output_tokens=0,
        cost=Decimal(cost),
        first_seen=moment,
        last_seen=moment,
    )


def alerts(budget: UsageBudget, month: dt.date) -> list[Finding]:
    return budget_alerts(run=None, touched={(budget.scope, budget.name, month)})


def test_budget_set_creates_then_updates_with_audit_entries(officer):
    budget = budget_set(actor=officer, scope="team", name=" Sales ", monthly_spend="100")
    assert (budget.name, budget.monthly_spend, budget.origin) == (
        "Sales",
        Decimal("100.00"),
        "sightline",
    )
    again = budget_set(
        actor=officer, scope="team", name="Sales", monthly_spend="100", model_allowlist=["gpt-4o*"]
    )
    assert again.pk == budget.pk and again.model_allowlist == ["gpt-4o*"]
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["discovery.budget.create", "discovery.budget.update"]
    budget_set(
        actor=officer, scope="team", name="Sales", monthly_spend="100", model_allowlist=["gpt-4o*"]
    )
    assert AuditEntry.objects.count() == 2  # nothing changed, nothing written


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scope": "team", "name": "Sales"}, "__all__"),
        ({"scope": "team", "name": "Sales", "monthly_tokens": -5}, "monthly_tokens"),
        ({"scope": "org", "name": "Sales", "monthly_tokens": 5}, "scope"),
        ({"scope": "key", "name": " ", "monthly_tokens": 5}, "name"),
    ],
)
def test_budget_set_refuses_bad_values(officer, kwargs, field):
    with pytest.raises(ValidationError) as err:
        budget_set(actor=officer, **kwargs)
    assert field in err.value.message_dict
    assert not UsageBudget.objects.exists()


def test_burn_counts_the_month_and_projects_its_end(officer):
    budget = budget_set(
        actor=officer, scope="key", name="k1", monthly_tokens=10_000, monthly_spend=20
    )
    for day in (1, 5, 10):
        usage(dt.date(2026, 11, day), tokens=1000, cost="2")
    usage(dt.date(2026, 10, 31), tokens=99_999, cost="99")  # another month
    usage(dt.date(2026, 11, 3), key="other", tokens=99_999, cost="99")  # another key
    burn = budget_burn(budget, dt.date(2026, 11, 20), today=dt.date(2026, 11, 10))
    assert (burn.used_tokens, burn.used_spend) == (3000, Decimal("6"))
    assert (burn.tokens_percent, burn.spend_percent, burn.percent) == (30.0, 30.0, 30.0)
    assert (burn.projected_tokens, burn.projected_spend) == (9000, Decimal("18.00"))
    assert burn.projected_percent == 90.0
    past = budget_burn(budget, dt.date(2026, 11, 1), today=dt.date(2026, 12, 4))
    assert past.projected_tokens == 3000 and past.days_elapsed == 30


def test_thresholds_fire_once_per_month_and_threshold(officer):
    budget = budget_set(actor=officer, scope="team", name="Sales", monthly_spend=100)
    nov = dt.date(2026, 11, 1)
    usage(nov, cost="50")
    assert alerts(budget, nov) == []
    usage(nov.replace(day=2), cost="35")  # 85 %
    (eighty,) = alerts(budget, nov)
    assert eighty.dedupe_key == "budget:team:Sales:2026-11:80" and eighty.severity == "medium"
    assert [f.pk for f in alerts(budget, nov)] == [eighty.pk]  # refreshed, not opened again
    finding_dismiss(finding=eighty, actor=officer, reason="known campaign")
    usage(nov.replace(day=3), cost="20")  # 105 %
    (hundred,) = alerts(budget, nov)
    assert hundred.dedupe_key == "budget:team:Sales:2026-11:100" and hundred.severity == "high"
    usage(nov.replace(day=4), cost="20")
    alerts(budget, nov)
    keys = sorted(Finding.objects.values_list("dedupe_key", "state"))
    assert keys == [
        ("budget:team:Sales:2026-11:100", "open"),
        ("budget:team:Sales:2026-11:80", "dismissed"),
    ]
    usage(dt.date(2026, 12, 1), cost="90")  # a new month fires again
    assert [f.dedupe_key for f in alerts(budget, dt.date(2026, 12, 1))] == [
        "budget:team:Sales:2026-12:80"
    ]


def test_budget_alerts_show_in_the_officers_inbox_only(officer, auditor):
    budget = budget_set(actor=officer, scope="team", name="Sales", monthly_tokens=100)
    usage(dt.date(2026, 11, 1), tokens=150)
    alerts(budget, dt.date(2026, 11, 1))

    def section(user):
        return next(s for s in inbox_for(user) if s.section.key == "budget-alerts")

    officer_items = section(officer).items
    assert [i.flag for i in officer_items] == ["high", "medium"]
    assert "Budget 100 % reached: team Sales in 2026-11" in officer_items[0].title
    assert section(auditor).items == []


LITELLM_EXPORT = {
    "LiteLLM_TeamTable": [
        {"team_id": "6c1e-team-sales", "team_alias": "Sales", "max_budget": 300.0,
         "budget_duration": "30d", "tpm_limit": 100000, "rpm_limit": 500, "spend": 12.5,
         "models": ["gpt-4o", "gpt-4o-mini"], "blocked": False},
        {"team_id": "team-hr", "team_alias": None, "max_budget": 10.0, "budget_duration": "1d",
         "tpm_limit": None, "rpm_limit": None, "models": ["all-proxy-models"]},
        {"team_id": "team-lab", "team_alias": "Lab", "max_budget": 50, "budget_duration": None,
         "models": []},
        {"team_id": "team-empty", "team_alias": "Empty", "max_budget": None, "models": []},
        {"team_id": "team-bad", "team_alias": "Bad", "max_budget": "lots"},
    ],
    "LiteLLM_VerificationToken": [
        {"token": "88dc28d0f030c55ed4ab77ed8faf0981", "key_alias": "sales-assistant",
         "key_name": "sk-...Ab12", "max_budget": 25.0, "budget_duration": "1mo",
         "tpm_limit": 5000, "rpm_limit": None, "models": ["gpt-4o"], "team_id": "6c1e-team-sales"},
        {"token": "ffee00112233445566778899", "key_alias": None, "max_budget": 5.0,
         "budget_duration": "7d", "models": []},
        "not a row",
    ],
}  # fmt: skip


def test_litellm_export_becomes_gateway_budgets(officer):
    budget_set(actor=officer, scope="team", name="Sales", monthly_tokens=5_000_000)
    content = json.dumps(LITELLM_EXPORT).encode()
    result = litellm_budgets_import(actor=officer, content=content, filename="teams.json")
    assert (result.rows, result.created, result.updated, result.skipped) == (8, 4, 1, 3)
    assert dict(result.reasons) == {
        "no budget, rate limit or model list": 1,
        "max_budget, tpm_limit or rpm_limit is not a number": 1,
        "not a JSON object": 1,
    }
    budgets = {(b.scope, b.name): b for b in UsageBudget.objects.all()}
    sales = budgets[("team", "Sales")]
    assert sales.origin == "gateway" and sales.monthly_spend == Decimal("300.00")
    assert sales.monthly_tokens == 5_000_000  # the gateway has no token budget: Sightline's stays
    assert (sales.tpm_limit, sales.rpm_limit) == (100000, 500)
    assert sales.model_allowlist == ["gpt-4o", "gpt-4o-mini"]
    hr = budgets[("team", "team-hr")]
    assert hr.monthly_spend == Decimal("300.00") and hr.model_allowlist == []  # 10/day, any model
    assert budgets[("team", "Lab")].monthly_spend == Decimal("50.00")
    assert any("Lab" in note for note in result.notes)
    key = budgets[("key", "sales-assistant")]
    assert (key.monthly_spend, key.tpm_limit, key.model_allowlist) == (
        Decimal("25.00"),
        5000,
        ["gpt-4o"],
    )
    unaliased = budgets[("key", "key:ffee00112233")]
    assert unaliased.monthly_spend == Decimal("21.43")  # 5 per 7 days over a 30-day month
    assert AuditEntry.objects.filter(action="discovery.budget.import").count() == 1


def test_litellm_import_command_reads_json_lines(officer, tmp_path):
    path = tmp_path / "keys.jsonl"
    path.write_text(
        "\n".join(json.dumps(r) for r in LITELLM_EXPORT["LiteLLM_VerificationToken"][:2])
    )
    out = io.StringIO()
    call_command("import_litellm_budgets", str(path), stdout=out)
    assert "2 row(s): 2 new, 0 updated, 0 unchanged, 0 skipped" in out.getvalue()
    assert UsageBudget.objects.filter(origin="gateway").count() == 2


def test_litellm_import_refuses_a_file_that_is_not_json(officer):
    with pytest.raises(ValidationError, match="not JSON"):
        litellm_budgets_import(actor=officer, content=b"team,budget\nSales,1\n", filename="x.csv")


def test_team_domain_hints_use_the_inventory_vocabulary():
    version, hints = team_domain_hints()
    assert version == 1 and hints
    assert {domain for _, domain in hints} <= set(vocab.Domain.values)
    assert domain_for_team("HR") == "employment"
    assert domain_for_team("EMEA Talent Acquisition") == "employment"
    assert domain_for_team("Customer Support") == "customer_service"
    assert domain_for_team("Sales") == ""
    assert domain_for_team("Chrome") == ""  # whole words only: no "hr" inside a word


def test_scope_class_mapping_covers_every_oauth_scope_class():
    classes = yaml.safe_load(SCOPES_FILE.read_text())["classes"]
    version, mapping = scope_class_categories()
    assert version == 1
    assert set(mapping) == set(classes)
    assert {c for cats in mapping.values() for c in cats} <= set(vocab.DataCategory.values)
