"""Findings rules: shadow AI, blocked use, new apps, spikes, possible AI, LLMjacking; no duplicates."""

import datetime as dt

from discovery.models import Finding
from discovery.services.rules import SPIKE_FACTOR, SPIKE_MIN_REQUESTS
from discovery.services.triage import discovered_app_link, finding_block
from tests.discovery.conftest import CLOUDTRAIL, SQUID, ZEEK
from tests.factories import AISystemFactory

EXTRA_CLAUDE = (
    "1795300000.000    100 192.0.2.11 TCP_TUNNEL/200 500 CONNECT claude.ai:443 bob "
    "HIER_DIRECT/198.51.100.20 -\n"
)


def kinds_for(app_key: str) -> set[str]:
    return set(Finding.objects.filter(app_key=app_key).values_list("kind", flat=True))


def test_catalogue_app_without_sanctioned_system_is_a_finding(ingest):
    ingest(SQUID)
    finding = Finding.objects.get(kind=Finding.Kind.UNSANCTIONED_USE, app_key="deepseek")
    assert finding.severity in ("medium", "high")
    assert finding.evidence["distinct_users"] == 1
    assert finding.evidence["top_users"][0]["identity"] == "gina"
    assert finding.evidence["requests"] == 15
    assert finding.first_seen < finding.last_seen


def test_sanctioned_app_raises_no_usage_finding(ingest, officer):
    system = AISystemFactory(name="ChatGPT Enterprise", sanction_status="sanctioned")
    discovered_app_link(app_key="chatgpt", system=system, actor=officer)
    ingest(SQUID)
    assert kinds_for("chatgpt") == set()
    assert Finding.Kind.UNSANCTIONED_USE in kinds_for("claude")


def test_unsanctioned_system_makes_use_a_blocked_use_finding(ingest, officer):
    system = AISystemFactory(name="DeepSeek", sanction_status="unsanctioned")
    discovered_app_link(app_key="deepseek", system=system, actor=officer)
    ingest(SQUID)
    finding = Finding.objects.get(app_key="deepseek", kind=Finding.Kind.BLOCKED_USE)
    assert finding.severity == "high"
    assert "unsanctioned" in finding.title


def test_use_after_blocking_is_a_blocked_use_finding(ingest, officer, copy_of):
    ingest(SQUID)
    finding = Finding.objects.get(kind=Finding.Kind.UNSANCTIONED_USE, app_key="claude")
    finding_block(finding=finding, actor=officer, reason="Consumer plan trains on our data")
    ingest(copy_of(SQUID, append=EXTRA_CLAUDE))
    blocked = Finding.objects.get(kind=Finding.Kind.BLOCKED_USE, app_key="claude")
    assert blocked.state == Finding.State.OPEN and blocked.severity == "high"


def test_new_app_finding_only_on_first_sighting(ingest, copy_of):
    ingest(SQUID)
    assert Finding.objects.filter(kind=Finding.Kind.NEW_APP, app_key="claude").count() == 1
    ingest(copy_of(SQUID, append=EXTRA_CLAUDE))
    new_app = Finding.objects.get(kind=Finding.Kind.NEW_APP, app_key="claude")
    assert new_app.occurrences == 1


def test_rerun_refreshes_the_open_finding_instead_of_duplicating(ingest, copy_of):
    ingest(SQUID)
    first = Finding.objects.get(kind=Finding.Kind.UNSANCTIONED_USE, app_key="claude")
    ingest(copy_of(SQUID, append=EXTRA_CLAUDE))
    assert Finding.objects.filter(kind=Finding.Kind.UNSANCTIONED_USE, app_key="claude").count() == 1
    first.refresh_from_db()
    assert first.occurrences == 2
    assert first.last_seen == dt.datetime.fromtimestamp(1795300000, tz=dt.UTC)
    assert len(first.evidence["runs"]) == 2


def test_usage_spike_against_trailing_baseline(ingest):
    ingest(SQUID)
    spike = Finding.objects.get(kind=Finding.Kind.USAGE_SPIKE, app_key="claude")
    ev = spike.evidence
    assert ev["day"] == "2026-11-19"
    assert ev["requests"] >= SPIKE_MIN_REQUESTS
    assert ev["requests"] > SPIKE_FACTOR * ev["baseline_mean"]
    # Steady apps do not spike.
    assert not Finding.objects.filter(kind=Finding.Kind.USAGE_SPIKE, app_key="chatgpt").exists()


def test_heuristic_hits_go_to_the_review_queue(ingest):
    ingest(SQUID)
    finding = Finding.objects.get(kind=Finding.Kind.POSSIBLE_AI)
    assert finding.host == "llm-gw.partner.example.net"
    assert finding.severity == "info"
    codes = {h["code"] for h in finding.evidence["heuristics"]}
    assert any(code.startswith("H1") for code in codes)
    assert finding.evidence["sample_lines"]
    assert "/v1/chat/completions" in finding.evidence["sample_lines"][0]


def test_llmjacking_probe_sequence_becomes_findings(ingest):
    ingest(CLOUDTRAIL)
    jack = Finding.objects.filter(kind=Finding.Kind.LLMJACKING)
    rules = {f.evidence["rule_id"] for f in jack}
    assert {"L1", "L4", "L8"} <= rules
    probe = jack.get(evidence__rule_id="L1")
    assert probe.severity == "high"
    assert probe.principal == "arn:aws:iam::111122223333:user/ci-deployer"
    assert probe.source_ip == "203.0.113.77"
    assert "us-west-2" in probe.region and "eu-west-3" in probe.region
    assert probe.evidence["sample_events"][0]["event_name"]


def test_llmjacking_findings_are_not_duplicated_on_a_second_file(ingest, copy_of):
    ingest(CLOUDTRAIL)
    count = Finding.objects.filter(kind=Finding.Kind.LLMJACKING).count()
    import gzip
    import json

    doc = json.loads(gzip.decompress(CLOUDTRAIL.read_bytes()))
    doc["Records"] = doc["Records"][:-1]
    path = copy_of(CLOUDTRAIL, name="second.json.gz")
    path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    ingest(path)
    assert Finding.objects.filter(kind=Finding.Kind.LLMJACKING, state="open").count() <= count


def test_zeek_sni_traffic_finds_coding_and_search_apps(ingest):
    ingest(ZEEK)
    assert Finding.Kind.UNSANCTIONED_USE in kinds_for("cursor")
    assert Finding.Kind.UNSANCTIONED_USE in kinds_for("perplexity")
