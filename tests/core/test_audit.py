import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from core.audit import audit_record, audit_verify
from core.models import AuditEntry, ChainHead
from core.tasks import audit_verify_task
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def append(n: int, actor="tester") -> None:
    for i in range(n):
        audit_record(
            actor=actor,
            action="test.event",
            target_type="test",
            target_id=str(i),
            target_repr=f"event {i}",
            changes={"n": [None, i]},
        )


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_fresh_chain_verifies():
    append(5)
    result = audit_verify()
    assert result.ok and result.checked == 5


def test_altered_row_is_reported_at_exactly_its_seq():
    append(6)
    raw("UPDATE core_auditentry SET target_repr = %s WHERE seq = %s", ["forged", 4])
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == 4
    assert result.checked == 3
    assert "content" in result.reason


def test_rehashed_forgery_breaks_the_next_link():
    """Someone who also recomputes the row's hash still breaks the link stored in the next row."""
    from core.audit import entry_digest

    append(4)
    entry = AuditEntry.objects.get(seq=2)
    entry.target_repr = "forged"
    raw(
        "UPDATE core_auditentry SET target_repr = %s, hash = %s WHERE seq = %s",
        ["forged", entry_digest(entry), 2],
    )
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, 3)
    assert "link" in result.reason


def test_deleted_row_is_reported_as_missing():
    append(5)
    raw("DELETE FROM core_auditentry WHERE seq = %s", [3])
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, 3)
    assert "missing" in result.reason


def test_deleted_last_row_is_caught_by_the_chain_head():
    append(5)
    raw("DELETE FROM core_auditentry WHERE seq = %s", [5])
    result = audit_verify()
    assert (result.ok, result.broken_seq) == (False, 5)


def test_entries_are_append_only_in_the_orm():
    append(1)
    entry = AuditEntry.objects.get()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(action="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_large_floats_verify_after_a_database_round_trip():
    audit_record(
        actor="t",
        action="test.float",
        changes={"training_flops": [None, 3e26], "small": [1.5, 1e-7]},
    )
    assert audit_verify().ok


def test_verify_audit_command_passes_then_fails_with_the_seq():
    append(3)
    call_command("verify_audit")
    raw("UPDATE core_auditentry SET actor_label = %s WHERE seq = %s", ["mallory", 2])
    with pytest.raises(CommandError, match="#2"):
        call_command("verify_audit")


def test_verify_task_records_its_outcome_in_the_chain():
    append(2)
    outcome = audit_verify_task.apply().get()
    assert outcome == {"ok": True, "checked": 2, "broken_seq": None, "reason": ""}
    entry = AuditEntry.objects.get(action="audit.verify")
    assert entry.changes["ok"] == [None, True] and entry.seq == 3
    assert audit_verify().ok


def test_verify_task_records_a_broken_chain():
    append(3)
    raw("UPDATE core_auditentry SET action = %s WHERE seq = %s", ["x", 2])
    outcome = audit_verify_task.apply().get()
    assert outcome["ok"] is False and outcome["broken_seq"] == 2
    assert AuditEntry.objects.get(action="audit.verify").changes["broken_seq"] == [None, 2]


def test_nightly_schedule_runs_the_verify_task():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "core.tasks.audit_verify_task" in tasks


def test_verify_page_shows_broken_seq_to_auditor(client, auditor):
    append(4)
    client.login(username=auditor.username, password=PASSWORD)
    assert "All 4 entries are intact" in client.get(reverse("audit-verify")).content.decode()
    raw("UPDATE core_auditentry SET target_id = %s WHERE seq = %s", ["999", 3])
    body = client.get(reverse("audit-verify")).content.decode()
    assert "Broken at entry #3" in body


def writers_run(count: int, writer) -> list[Exception]:
    """Runs writer(n) for n in range(count) on threads started together, each on its own
    database connection; returns what they raised."""
    barrier, errors = threading.Barrier(count), []

    def run(n: int) -> None:
        try:
            barrier.wait()
            writer(n)
        except Exception as err:  # noqa: BLE001 - returned to the test
            errors.append(err)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_linear_chain():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises every write with one database lock; the row-lock race needs PostgreSQL."
        )
    threads, per_thread = 8, 25

    def writer(n: int) -> None:
        for i in range(per_thread):
            with transaction.atomic():
                audit_record(actor=f"writer-{n}", action="test.concurrent", target_id=str(i))

    assert writers_run(threads, writer) == []
    total = threads * per_thread
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, total + 1)
    )
    assert (
        AuditEntry.objects.values("prev_hash").distinct().count() == total
    )  # no two entries share a parent
    assert AuditEntry.objects.values("actor_label").distinct().count() == threads
    assert ChainHead.objects.get(pk=1).seq == total
    assert audit_verify().ok
