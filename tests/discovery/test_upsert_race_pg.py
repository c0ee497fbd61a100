"""Two transactions open the same finding at once (two runs finishing together on PostgreSQL).

The first transaction's insert is held uncommitted while the second tries the same key: the
second must wait, then refresh the finding the first opened, not fail on the one-open-finding key.
"""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction

from core.models import AuditEntry
from discovery.models import Finding
from discovery.services.findings import finding_upsert

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]
T0 = dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC)


def _upsert(n: int) -> tuple[Finding, bool]:
    return finding_upsert(
        kind=Finding.Kind.UNSANCTIONED_USE,
        dedupe_key="unsanctioned_use:claude",
        severity="medium",
        title=f"Claude used with no sanctioned AI system ({n} requests in all)",
        first_seen=T0 + dt.timedelta(hours=n),
        last_seen=T0 + dt.timedelta(hours=n + 1),
        evidence={"requests_total": n},
        app_key="claude",
    )


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def race(first_write, second_write) -> dict[str, object]:
    """first_write() in a transaction held open, then second_write() on another connection until
    it waits on the first's uncommitted rows; then the first commits. Returns each one's result
    (or what it raised) under "first" and "second"."""
    first_inserted = threading.Event()
    release_first = threading.Event()
    outcome: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                outcome["first"] = first_write()
                first_inserted.set()
                release_first.wait(timeout=30)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcome["first"] = exc
        finally:
            first_inserted.set()
            connections.close_all()

    def second() -> None:
        try:
            outcome["second"] = second_write()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcome["second"] = exc
        finally:
            connections.close_all()

    a = threading.Thread(target=first)
    a.start()
    assert first_inserted.wait(timeout=30)
    b = threading.Thread(target=second)
    b.start()
    deadline = time.monotonic() + 30
    while not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)  # the second write now waits on the first's uncommitted row
    release_first.set()
    a.join(timeout=30)
    b.join(timeout=30)
    return outcome


def test_second_transaction_refreshes_the_finding_the_first_opened_meanwhile():
    outcome = race(lambda: _upsert(10), lambda: _upsert(20))

    assert not isinstance(outcome["first"], Exception), outcome["first"]
    assert not isinstance(outcome["second"], Exception), outcome["second"]
    assert outcome["first"][1] is True and outcome["second"][1] is False
    finding = Finding.objects.get(dedupe_key="unsanctioned_use:claude")
    assert finding.occurrences == 2
    assert finding.title.startswith("Claude used") and "(20 requests" in finding.title
    assert finding.first_seen == T0 + dt.timedelta(hours=10)
    assert finding.last_seen == T0 + dt.timedelta(hours=21)
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions == ["discovery.finding.create", "discovery.finding.refresh"]
