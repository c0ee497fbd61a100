"""Deciding the new findings: drift accepted through the audited inventory update (the system is
re-classified and the assessment the law now asks for shows as required) or rejected for good;
an OAuth app sanctioned with its data categories prefilled, or blocked into the client-id export."""

import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from assessments.selectors import required_missing
from core.models import AuditEntry
from discovery.models import BlocklistEntry, Finding, IngestRun
from discovery.oauth_block import export_oauth_client_ids, oauth_blocked_clients
from discovery.services.drift import drift_accept, drift_reject, model_matches, region_recorded
from discovery.services.triage import finding_block, finding_dismiss, finding_sanction
from inventory.models import AISystem
from regulations.models import ClassificationResult
from regulations.services import classification_run
from tests.discovery import usage_scenario as sc
from tests.discovery.usage_scenario import batch

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(usage_scenario):
    """The usage scenario, its files ingested as one batch."""
    batch(usage_scenario["files"].values())
    return usage_scenario


def one_more_call(folder: Path, n: int, *, user: str, team: str) -> IngestRun:
    """One gpt-4o call on the sales-assistant key on 30 November, ingested as its own batch."""
    more = folder / "more.jsonl"
    row = sc._spend(
        n, sc.NOV.replace(day=30), 9, user=user, team=team, key="sales-assistant",
        model="gpt-4o", spend=1.0,
    )  # fmt: skip
    more.write_text(json.dumps(row) + "\n")
    return batch([more])


def _eu(system) -> ClassificationResult:
    return ClassificationResult.objects.filter(system=system, regime__code="eu").latest(
        "computed_at", "pk"
    )


def test_accepting_a_team_drift_updates_the_system_reclassifies_it_and_requires_an_assessment(
    scenario, officer, eager, django_capture_on_commit_callbacks
):
    call_command("load_content", no_classify=True, stdout=io.StringIO())
    sales = scenario["systems"]["sales"]
    classification_run(system=sales)
    assert not _eu(sales).high_risk
    assert required_missing(system_id=sales.pk) == []
    finding = Finding.objects.get(dedupe_key=f"drift:{sales.pk}:teams:recruiting")

    with django_capture_on_commit_callbacks(execute=True):
        drift_accept(finding=finding, actor=officer)

    sales.refresh_from_db()
    assert sales.teams_using == ["Sales", "Recruiting"]
    assert sales.domains == ["productivity", "employment"]
    update = AuditEntry.objects.filter(action="system.update", target_id=str(sales.pk)).latest(
        "seq"
    )
    assert update.changes["domains"] == [["productivity"], ["productivity", "employment"]]
    assert update.changes["teams_using"] == [["Sales"], ["Sales", "Recruiting"]]
    finding.refresh_from_db()
    assert finding.state == Finding.State.SANCTIONED
    assert AuditEntry.objects.filter(
        action="discovery.finding.drift_accept", target_id=str(finding.pk)
    ).exists()
    assert _eu(sales).high_risk  # Annex III point 4 (employment)
    required = [m.template.key.rsplit(".", 1)[-1] for m in required_missing(system_id=sales.pk)]
    assert required == ["deployer-duties"]


def test_accepting_volume_and_region_drift_sets_the_figures(scenario, officer):
    sales, claims = scenario["systems"]["sales"], scenario["systems"]["claims"]
    drift_accept(
        finding=Finding.objects.get(dedupe_key=f"drift:{sales.pk}:volume:2026-11"), actor=officer
    )
    drift_accept(
        finding=Finding.objects.get(dedupe_key=f"drift:{claims.pk}:regions:us-east-1"),
        actor=officer,
    )
    sales.refresh_from_db()
    claims.refresh_from_db()
    assert sales.expected_users == 5
    assert claims.data_regions == ["EU", "us-east-1"]


def test_a_decided_drift_cannot_be_accepted_again(scenario, officer):
    sales = scenario["systems"]["sales"]
    finding = Finding.objects.get(dedupe_key=f"drift:{sales.pk}:models:gpt-4o-mini")
    drift_accept(finding=finding, actor=officer)
    with pytest.raises(ValidationError, match="already sanctioned"):
        drift_accept(finding=finding, actor=officer)
    spike = Finding.objects.get(dedupe_key="shared_key:sales-assistant")
    with pytest.raises(ValidationError, match="Only a drift finding"):
        drift_accept(finding=spike, actor=officer)


def test_a_rejected_drift_is_not_proposed_again(scenario, officer, tmp_path):
    sales = scenario["systems"]["sales"]
    key = f"drift:{sales.pk}:teams:recruiting"
    with pytest.raises(ValidationError):
        drift_reject(finding=Finding.objects.get(dedupe_key=key), actor=officer, reason=" ")
    drift_reject(
        finding=Finding.objects.get(dedupe_key=key), actor=officer, reason="Recruiting only tests"
    )
    one_more_call(tmp_path, 900, user="erin@example.com", team="Recruiting")
    assert list(Finding.objects.filter(dedupe_key=key).values_list("state", flat=True)) == [
        Finding.State.DISMISSED
    ]
    sales.refresh_from_db()
    assert "Recruiting" not in sales.teams_using


def test_sanctioning_an_oauth_app_prefills_its_data_categories(scenario, officer):
    finding = Finding.objects.get(dedupe_key="oauth_app:chatgpt")
    system = finding_sanction(finding=finding, actor=officer)
    # mail_read -> communications, contact; files_read -> communications; profile -> contact,
    # identifiers (discovery/mappings/scope_data_categories.yaml), in vocabulary order
    assert system.data_categories == ["contact", "identifiers", "communications"]
    assert system.intake_pending and "OAuth grants" in system.description
    create = AuditEntry.objects.get(action="system.create", target_id=str(system.pk))
    assert create.changes["data_categories"] == [
        None,
        ["contact", "identifiers", "communications"],
    ]


def test_blocking_an_oauth_app_exports_exactly_its_client_ids(scenario, officer):
    assert oauth_blocked_clients() == []
    finding_block(
        finding=Finding.objects.get(dedupe_key="oauth_app:chatgpt"), actor=officer, reason="no"
    )
    assert oauth_blocked_clients() == [
        (sc.CHATGPT_ID, "ChatGPT", "gws_token"),
        (sc.ENTRA_CHATGPT_ID, "ChatGPT", "entra_audit"),
    ]
    text = export_oauth_client_ids(oauth_blocked_clients())
    assert text.splitlines()[1:] == [
        f"{sc.CHATGPT_ID}  # ChatGPT (Google Workspace)",
        f"{sc.ENTRA_CHATGPT_ID}  # ChatGPT (Microsoft Entra ID)",
    ]
    assert sc.CLAUDE_ID not in text and sc.ZOOM_ID not in text
    block = AuditEntry.objects.get(action="discovery.finding.block")
    assert block.changes["blocked_client_ids"] == [None, [sc.CHATGPT_ID, sc.ENTRA_CHATGPT_ID]]
    # an app blocked by its network finding (its domains on the blocklist) is listed too
    BlocklistEntry.objects.create(domain="claude.ai", app_key="claude")
    assert [c[0] for c in oauth_blocked_clients()] == sorted(
        [sc.CHATGPT_ID, sc.ENTRA_CHATGPT_ID, sc.CLAUDE_ID]
    )


def test_a_dismissed_oauth_finding_reopens_only_for_a_later_grant(scenario, officer, tmp_path):
    finding_dismiss(
        finding=Finding.objects.get(dedupe_key="oauth_app:chatgpt"), actor=officer, reason="ok"
    )
    again = tmp_path / "again.jsonl"
    again.write_text(sc.grant_lines().replace("2026-11-0", "2026-10-0"))  # older grants
    batch([again])
    assert not Finding.objects.filter(dedupe_key="oauth_app:chatgpt", state="open").exists()
    later = tmp_path / "later.jsonl"
    later.write_text(sc.grant_lines().replace("2026-11-02T09", "2026-12-01T09"))
    batch([later])
    assert Finding.objects.filter(dedupe_key="oauth_app:chatgpt", state="open").count() == 1


@pytest.mark.parametrize(
    ("model", "patterns", "listed"),
    [
        ("gpt-4o-2024-08-06", ["gpt-4o"], True),
        ("gpt-4o-mini", ["gpt-4o"], False),
        ("openai/gpt-4o", ["gpt-4o"], True),
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", ["claude-3-5-sonnet"], True),
        ("eu.anthropic.claude-3-haiku-20240307-v1:0", ["claude-*"], True),
        ("claude-3-haiku", ["claude-3-5-sonnet"], False),
        ("gemini-1.5-pro@001", ["gemini-1.5-pro"], True),
        ("gpt-4.1", ["gpt-4"], False),
        ("gpt-4-0613", ["gpt-4"], True),
        ("claude-3-5-sonnet", ["claude-3"], False),
    ],
)
def test_model_names_match_their_records(model, patterns, listed):
    assert model_matches(model, patterns) is listed


@pytest.mark.parametrize(
    ("region", "recorded", "covered"),
    [
        ("eu-central-1", ["EU"], True),
        ("us-east-1", ["EU"], False),
        ("us-east-1", ["us-*"], True),
        ("westeurope", ["eu"], True),
        ("ap-southeast-2", ["eu-central-1", "US"], False),
        ("eu-west-2", ["EU"], False),  # London
        ("europe-west6", ["EU"], False),  # Zurich
        ("eu-west-2", ["UK"], True),
        ("eu-west-1", ["EU"], True),
    ],
)
def test_regions_are_covered_by_their_area(region, recorded, covered):
    assert region_recorded(region, recorded) is covered


def test_drift_only_concerns_sanctioned_systems(scenario):
    pilot = scenario["systems"]["pilot"]
    assert pilot.sanction_status == AISystem.SanctionStatus.UNDER_REVIEW
    assert not Finding.objects.filter(kind=Finding.Kind.DRIFT, system=pilot).exists()


def test_a_drift_the_record_now_lists_is_closed_on_the_next_batch(scenario, officer, tmp_path):
    from inventory.services import ai_system_update

    sales = scenario["systems"]["sales"]
    ai_system_update(actor=officer, system=sales, data={"teams_using": ["Sales", "Recruiting"]})
    one_more_call(tmp_path, 901, user="alice@example.com", team="Sales")
    drift = Finding.objects.get(dedupe_key=f"drift:{sales.pk}:teams:recruiting")
    assert drift.state == Finding.State.DISMISSED
    assert drift.dismiss_reason == "Superseded: the inventory record lists it now."
    still_open = Finding.objects.get(dedupe_key=f"drift:{sales.pk}:models:gpt-4o-mini")
    assert still_open.is_open
