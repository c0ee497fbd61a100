"""Per-principal history by event time across runs: a finding a late file disproves is closed as
superseded, one an officer dismissed is not reopened by a re-evaluation without newer events."""

import json
from datetime import UTC, datetime, timedelta

from core.models import AuditEntry
from discovery.models import CloudPrincipal, Finding, LogSource
from discovery.services.triage import finding_dismiss
from tests.discovery.test_llmjacking_batches import run_batch

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ARN = "arn:aws:iam::111122223333:user/build-bot"


def event(eid, when, name, *, ip="203.0.113.5", source="bedrock.amazonaws.com", error=""):
    ev = {
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "arn": ARN, "accountId": "111122223333",
                         "accessKeyId": "AKIAEXAMPLEBUILD001"},
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source, "eventName": name, "awsRegion": "us-east-1",
        "sourceIPAddress": ip, "userAgent": "aws-cli/2.15.0", "requestParameters": {},
        "eventID": eid, "eventType": "AwsApiCall", "recipientAccountId": "111122223333",
    }  # fmt: skip
    if error:
        ev["errorCode"] = error
    return ev


def write(tmp_path, name, events):
    path = tmp_path / name
    path.write_text(json.dumps({"Records": events}))
    return path


def test_a_finding_a_late_file_disproves_is_closed_as_superseded(catalog, tmp_path):
    source = LogSource.objects.create(name="Trail", kind="cloudtrail", learning_days=0)
    late = write(tmp_path, "late.json", [
        event("late-1", T + timedelta(days=10), "GetCallerIdentity", source="sts.amazonaws.com"),
        event("late-2", T + timedelta(days=10, minutes=1), "ListFoundationModels"),
    ])  # fmt: skip
    early = write(tmp_path, "early.json", [event("early-1", T, "ListFoundationModels")])
    run_batch([late], source)
    l10 = Finding.objects.get(dedupe_key=f"llmjacking:L10:{ARN}")
    assert l10.is_open and "203.0.113.5" in l10.title + str(l10.evidence["reasons"])
    run_batch([early], source)
    l10.refresh_from_db()
    assert l10.state == "dismissed" and l10.dismiss_reason.startswith("Superseded")
    assert AuditEntry.objects.filter(action="discovery.finding.supersede").count() == 1
    history = CloudPrincipal.objects.get(principal=ARN)
    assert history.first_event == T and history.last_event == T + timedelta(days=10, minutes=1)
    assert history.events == 3


def test_a_dismissed_finding_stays_closed_until_newer_events_arrive(catalog, tmp_path, officer):
    source = LogSource.objects.create(name="Trail", kind="cloudtrail", learning_days=0)
    deny = [event(f"d{i}", T + timedelta(minutes=i), "InvokeModel", error="AccessDeniedException")
            for i in range(2)]  # fmt: skip
    run_batch([write(tmp_path, "a.json", deny)], source)
    l2 = Finding.objects.get(dedupe_key=f"llmjacking:L2:{ARN}")
    finding_dismiss(finding=l2, actor=officer, reason="Known misconfigured pipeline")
    # another file of the same principal, older than the dismissed finding's last event
    older = [event("o1", T - timedelta(days=1), "ListFoundationModels")]
    run_batch([write(tmp_path, "b.json", older)], source)
    assert not Finding.objects.filter(dedupe_key=l2.dedupe_key, state="open").exists()
    newer = [event("n1", T + timedelta(days=2), "InvokeModel", error="AccessDeniedException")]
    run_batch([write(tmp_path, "c.json", newer)], source)
    reopened = Finding.objects.get(dedupe_key=l2.dedupe_key, state="open")
    assert reopened.evidence["events_total"] == 3 and "3 events" in reopened.title
