"""Findings from OAuth grants and AI-gateway usage (issue 18): a known batch gives exactly the
expected findings, in any file order and without duplicates when run again; drift is accepted
through the audited inventory update, which re-classifies the system."""

import pytest

from core.models import AuditEntry
from discovery.models import Finding, IngestRun
from discovery.services import ingest_batch_create
from discovery.services.chunks import ingest_chunks_merge
from discovery.services.rules import rules_apply
from tests.discovery import usage_scenario as sc
from tests.discovery.usage_scenario import batch

pytestmark = pytest.mark.django_db


def found() -> dict[str, tuple[str, str]]:
    return {f.dedupe_key: (f.kind, f.severity) for f in Finding.objects.all()}


def by_key(key: str) -> Finding:
    return Finding.objects.get(dedupe_key=key)


def test_known_batch_produces_exactly_the_expected_findings(usage_scenario):
    run = batch(usage_scenario["files"].values())
    assert run.status == IngestRun.Status.DONE, run.attention
    systems = usage_scenario["systems"]
    assert found() == sc.expected(systems)
    assert run.findings_count == len(sc.expected(systems))

    chatgpt = by_key("oauth_app:chatgpt").evidence
    # Workspace and Entra grants of one app make one finding
    assert chatgpt["users"] == ["alice@example.com", "bob@example.com", "henry@example.com"]
    assert chatgpt["active_users"] == ["alice@example.com", "henry@example.com"]
    assert (chatgpt["active_grants"], chatgpt["revoked_grants"]) == (2, 1)
    assert chatgpt["client_ids"] == [sc.CHATGPT_ID, sc.ENTRA_CHATGPT_ID]
    assert chatgpt["sources"] == ["entra_audit", "gws_token"]
    assert chatgpt["scope_classes"] == ["files_read", "mail_read", "offline_access", "profile"]
    assert chatgpt["first_grant"].startswith("2026-11-02T09:00")
    assert chatgpt["last_grant"].startswith("2026-11-07T08:00")
    assert chatgpt["risk"] == {"app_level": "medium", "score": 10}
    claude = by_key("oauth_app:claude").evidence
    assert (claude["active_grants"], claude["revoked_grants"]) == (0, 1)

    sales = systems["sales"]
    team = by_key(f"drift:{sales.pk}:teams:recruiting")
    assert team.system == sales
    assert team.evidence["proposal"] == {"teams_using": ["Recruiting"], "domains": ["employment"]}
    volume = by_key(f"drift:{sales.pk}:volume:2026-11").evidence
    assert (volume["users"], volume["expected_users"]) == (5, 2)
    assert volume["proposal"] == {"expected_users": 5}
    region = by_key(f"drift:{systems['claims'].pk}:regions:us-east-1")
    assert region.evidence["proposal"] == {"data_regions": ["us-east-1"]}

    shared = by_key("shared_key:sales-assistant").evidence
    assert [t["team"] for t in shared["teams"]] == ["Recruiting", "Sales"]
    spike = by_key("spend_spike:team:Sales:2026-11-29").evidence
    assert (spike["spend"], spike["baseline_median"], spike["baseline_days"]) == ("50.00", 1.0, 28)
    budget = by_key("budget:team:Sales:2026-11:100").evidence
    assert (budget["used_spend"], budget["percent"]) == ("78.500000", 130.8)
    unlisted = by_key(f"unlisted_model:{systems['pilot'].pk}:claude-3-haiku-20240307")
    assert unlisted.system == systems["pilot"]


def test_running_the_batch_again_opens_no_duplicates(usage_scenario):
    run = batch(usage_scenario["files"].values())
    before = {f.pk: (f.occurrences, f.evidence) for f in Finding.objects.all()}
    merged = ingest_chunks_merge(run.chunks.order_by("index").values_list("results", flat=True))
    again = rules_apply(run=run, merged=merged)
    assert len(again) == len(before)
    assert {f.pk: (f.occurrences, f.evidence) for f in Finding.objects.all()} == before
    # the same files uploaded again are already counted: no run, no finding
    result = ingest_batch_create(
        files=[(p, p.name) for p in usage_scenario["files"].values()], actor="test"
    )
    assert not result.created
    assert Finding.objects.count() == len(before)


ORDERS = {
    "as listed": list(sc.FILES),
    "reversed": list(reversed(sc.FILES)),
    "revokes and spike first": [
        "revokes.jsonl",
        "entra.json",
        "spend_rest.jsonl",
        "bedrock.jsonl",
        "grants.jsonl",
        "spend_baseline.jsonl",
    ],
}


def _stable(evidence: dict) -> dict:
    return {k: v for k, v in evidence.items() if k not in ("run", "runs")}


@pytest.mark.parametrize("order", list(ORDERS))
def test_file_order_does_not_matter(usage_scenario, order):
    """One batch per file, in different orders: the open findings are the expected ones, with
    the same evidence as when the files come as one batch (anything a partial view raised and
    the later files undid is closed as superseded)."""
    for name in ORDERS[order]:
        batch([usage_scenario["files"][name]])
    open_ = Finding.objects.filter(state__in=Finding.OPEN_STATES)
    assert {f.dedupe_key: (f.kind, f.severity) for f in open_} == sc.expected(
        usage_scenario["systems"]
    )
    evidence = {f.dedupe_key: _stable(f.evidence) for f in open_}
    chatgpt = evidence["oauth_app:chatgpt"]
    assert (chatgpt["active_grants"], chatgpt["revoked_grants"]) == (2, 1)
    assert evidence["budget:team:Sales:2026-11:100"]["used_spend"] == "78.500000"
    assert evidence["spend_spike:team:Sales:2026-11-29"]["baseline_days"] == 28
    superseded = Finding.objects.exclude(state__in=Finding.OPEN_STATES)
    assert all(f.dismiss_reason.startswith("Superseded") for f in superseded)


def test_one_batch_and_file_by_file_give_the_same_evidence(usage_scenario, tmp_path):
    for name in ORDERS["revokes and spike first"]:
        batch([usage_scenario["files"][name]])
    file_by_file = {
        f.dedupe_key: _stable(f.evidence)
        for f in Finding.objects.filter(state__in=Finding.OPEN_STATES)
    }
    Finding.objects.all().delete()
    again = sc.write_files(tmp_path / "again")
    # the same content is counted once, so the stored usage is already complete: rules over a
    # batch of the same files (renamed, one byte longer) give the same open findings
    for path in again.values():
        path.write_text(path.read_text() + "\n")
    from discovery.models import ModelCallSeen, ModelUsageDay, OAuthGrant

    ModelCallSeen.objects.all().delete()  # request ids already counted
    OAuthGrant.objects.all().delete()
    ModelUsageDay.objects.all().delete()
    IngestRun.objects.all().delete()
    batch(again.values())
    one_batch = {
        f.dedupe_key: _stable(f.evidence)
        for f in Finding.objects.filter(state__in=Finding.OPEN_STATES)
    }
    assert one_batch == file_by_file


def test_audit_entries_name_each_finding_opened(usage_scenario):
    batch(usage_scenario["files"].values())
    created = AuditEntry.objects.filter(action="discovery.finding.create").count()
    assert created == len(sc.expected(usage_scenario["systems"]))
