"""Opening and refreshing a batch's findings at once writes what one finding_upsert per finding
writes: the same rows and the same audit entries, in the same order."""

import dataclasses
import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.audit import audit_verify
from core.models import AuditEntry
from discovery.models import Finding, IngestRun
from discovery.services.findings import FindingSpec, finding_upsert, findings_upsert_many

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
ROW_FIELDS = [
    "kind",
    "dedupe_key",
    "severity",
    "title",
    "app_key",
    "host",
    "principal",
    "source_ip",
    "region",
    "evidence",
    "occurrences",
    "first_seen",
    "last_seen",
    "state",
    "dismiss_reason",
    "run_id",
    "system_id",
]


class Rollback(Exception):
    pass


def spec(key: str, *, hours: int = 0, replace: bool = False, **kw) -> FindingSpec:
    fields = {
        "kind": Finding.Kind.LLMJACKING if replace else Finding.Kind.UNSANCTIONED_USE,
        "dedupe_key": key,
        "severity": "medium",
        "title": f"{key} seen at +{hours}h",
        "first_seen": T0 + hours * HOUR,
        "last_seen": T0 + (hours + 1) * HOUR,
        "evidence": {"hours": hours},
        "replace": replace,
    }
    return FindingSpec(**(fields | kw))


def one_by_one(specs: list[FindingSpec]) -> list[tuple[Finding, bool]]:
    return [
        finding_upsert(**{f.name: getattr(s, f.name) for f in dataclasses.fields(s)}) for s in specs
    ]


@pytest.fixture
def runs(db):
    return [IngestRun.objects.create(file_name=f"r{i}.log", sha256=f"{i:064d}") for i in range(3)]


@pytest.fixture
def batch(runs):
    """Findings as an earlier run left them, and the specs of the run now finishing."""
    r0, r1 = runs[0], runs[1]
    findings_upsert_many(
        [
            spec("refresh", run=r0),
            spec("replace", replace=True, run=r0),
            spec("same", replace=True, run=r1),
            spec("seen", run=r1),
            spec("closed", run=r0),
        ]
    )
    Finding.objects.filter(dedupe_key="closed").update(state="dismissed", dismiss_reason="Known")
    return [
        spec("refresh", hours=5, severity="high", run=r1),
        spec("replace", replace=True, hours=-2, severity="low", run=r1, region="us-east-1"),
        spec("same", replace=True, run=r1),
        spec("seen", hours=3, run=r1),
        spec("closed", hours=4, run=r1),
        spec("new", run=r1, app_key="claude", host="claude.ai", principal="bob"),
        spec("twice", run=r1),
        spec("new-replace", replace=True, run=r1, source_ip="203.0.113.9", region="eu-west-1"),
        spec("twice", hours=2, severity="critical"),
    ]


def written(write, specs: list[FindingSpec]) -> dict:
    """What a write leaves behind (rows, audit entries by finding key, results), rolled back."""
    start = AuditEntry.objects.count()
    out: dict = {}
    with pytest.raises(Rollback), transaction.atomic():
        results = write(specs)
        keys = {str(pk): key for pk, key in Finding.objects.values_list("pk", "dedupe_key")}
        out["rows"] = list(Finding.objects.order_by("dedupe_key", "state").values(*ROW_FIELDS))
        out["entries"] = [
            (e.action, e.actor_label, keys[e.target_id], e.target_repr, e.changes)
            for e in AuditEntry.objects.filter(seq__gt=start).order_by("seq")
        ]
        out["results"] = [(f.dedupe_key, created) for f, created in results]
        out["verified"] = audit_verify().ok
        raise Rollback
    return out


def test_bulk_writes_the_rows_and_audit_entries_of_one_call_per_finding(batch):
    single = written(one_by_one, batch)
    bulk = written(findings_upsert_many, batch)
    assert bulk["verified"] and single["verified"]
    assert bulk["results"] == single["results"]
    assert bulk["rows"] == single["rows"]
    assert bulk["entries"] == single["entries"]


def test_bulk_opens_refreshes_and_skips_as_each_spec_says(batch, runs):
    results = findings_upsert_many(batch)
    assert [(f.dedupe_key, created) for f, created in results] == [
        ("refresh", False),
        ("replace", False),
        ("same", False),
        ("seen", False),
        ("closed", True),
        ("new", True),
        ("twice", True),
        ("new-replace", True),
        ("twice", False),
    ]
    entries = AuditEntry.objects.filter(action__startswith="discovery.finding.").order_by("seq")
    actions = [(e.action.rsplit(".", 1)[1], e.target_repr) for e in entries][5:]
    assert actions == [
        ("refresh", "refresh seen at +5h"),
        ("refresh", "replace seen at +-2h"),  # "same" and "seen" changed nothing: no entry
        ("create", "closed seen at +4h"),
        ("create", "new seen at +0h"),
        ("create", "twice seen at +0h"),
        ("create", "new-replace seen at +0h"),
        ("refresh", "twice seen at +2h"),
    ]
    refreshed = Finding.objects.get(dedupe_key="refresh")
    assert (refreshed.occurrences, refreshed.severity) == (2, "high")
    assert refreshed.evidence["runs"] == [runs[0].pk, runs[1].pk]
    assert refreshed.first_seen == T0 and refreshed.last_seen == T0 + 6 * HOUR
    replaced = Finding.objects.get(dedupe_key="replace")
    assert (replaced.severity, replaced.region, replaced.first_seen) == (
        "low",
        "us-east-1",
        T0 - 2 * HOUR,
    )
    assert replaced.updated_at > replaced.created_at
    twice = Finding.objects.get(dedupe_key="twice")
    assert (twice.occurrences, twice.severity, twice.run_id) == (2, "critical", runs[1].pk)
    assert Finding.objects.get(dedupe_key="seen").occurrences == 1
    assert audit_verify().ok


def test_a_closed_finding_stays_closed_and_a_new_one_is_opened(batch):
    findings_upsert_many(batch)
    closed = Finding.objects.filter(dedupe_key="closed").order_by("pk")
    assert [(f.state, f.occurrences, f.title) for f in closed] == [
        ("dismissed", 1, "closed seen at +0h"),
        ("open", 1, "closed seen at +4h"),
    ]


def test_a_second_run_refreshes_instead_of_duplicating(batch, runs):
    findings_upsert_many(batch)
    rows, entries = Finding.objects.count(), AuditEntry.objects.count()
    findings_upsert_many(batch[:-1])  # the same run again: nothing new to say
    assert (Finding.objects.count(), AuditEntry.objects.count()) == (rows, entries)
    later = [dataclasses.replace(s, run=runs[2]) for s in batch if s.run is not None]
    results = findings_upsert_many(later)
    assert not any(created for _, created in results)
    assert Finding.objects.count() == rows
    assert Finding.objects.filter(state="open").count() == 8
    new_entries = list(AuditEntry.objects.filter(seq__gt=entries))
    assert {e.action for e in new_entries} == {"discovery.finding.refresh"}
    assert len(new_entries) == len(later)  # each finding now lists one more run
    assert audit_verify().ok


def test_a_batch_takes_the_queries_of_one_finding(runs):
    """40 findings fit one SQLite statement (999 parameters); PostgreSQL takes thousands."""

    def new(n: int, prefix: str) -> list[FindingSpec]:
        return [spec(f"{prefix}:{i}", run=runs[0]) for i in range(n)]

    findings_upsert_many(new(1, "warm"))
    with CaptureQueriesContext(connection) as one:
        findings_upsert_many(new(1, "one"))
    with CaptureQueriesContext(connection) as many:
        findings_upsert_many(new(40, "many"))
    assert len(many.captured_queries) == len(one.captured_queries) <= 12
    later = [dataclasses.replace(s, run=runs[1]) for s in new(40, "many")]
    with CaptureQueriesContext(connection) as refresh:
        findings_upsert_many(later)
    assert len(refresh.captured_queries) <= 10
    assert Finding.objects.get(dedupe_key="many:39").occurrences == 2
