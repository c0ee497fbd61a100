"""A batch's bulk insert meets a finding another transaction opened meanwhile (PostgreSQL).

The other transaction holds its new finding uncommitted; the batch's one insert waits for it,
fails on the one-open-finding key, and is redone finding by finding: the others are opened and
the conflicting one is refreshed, with the audit entries one call per finding would write.
"""

import datetime as dt

import pytest

from core.audit import audit_verify
from core.models import AuditEntry
from discovery.models import Finding
from discovery.services.findings import FindingSpec, finding_upsert, findings_upsert_many
from tests.discovery.test_upsert_race_pg import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]
T0 = dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)


def _spec(key: str, n: int) -> FindingSpec:
    return FindingSpec(
        kind=Finding.Kind.UNSANCTIONED_USE,
        dedupe_key=key,
        severity="medium",
        title=f"{key} ({n} requests in all)",
        first_seen=T0 + dt.timedelta(hours=n),
        last_seen=T0 + dt.timedelta(hours=n + 1),
        evidence={"requests_total": n},
    )


def test_batch_refreshes_the_finding_opened_meanwhile_and_opens_the_others():
    outcome = race(
        lambda: finding_upsert(**vars(_spec("b", 10))),
        lambda: findings_upsert_many([_spec(k, 20) for k in ("a", "b", "c")]),
    )

    assert not isinstance(outcome["first"], Exception), outcome["first"]
    assert not isinstance(outcome["second"], Exception), outcome["second"]
    assert [(f.dedupe_key, created) for f, created in outcome["second"]] == [
        ("a", True),
        ("b", False),
        ("c", True),
    ]
    assert Finding.objects.filter(state="open").count() == 3
    b_finding = Finding.objects.get(dedupe_key="b")
    assert b_finding.occurrences == 2 and "(20 requests" in b_finding.title
    assert b_finding.first_seen == T0 + dt.timedelta(hours=10)
    entries = AuditEntry.objects.order_by("seq").values_list("action", "target_repr")
    assert [(action.rsplit(".", 1)[1], what) for action, what in entries] == [
        ("create", "b (10 requests in all)"),
        ("create", "a (20 requests in all)"),
        ("refresh", "b (20 requests in all)"),
        ("create", "c (20 requests in all)"),
    ]
    assert audit_verify().ok
