"""Many audit entries at once: the same chain as one audit_record call per entry."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.audit import audit_record, audit_record_many, audit_verify
from core.models import AuditEntry, ChainHead
from tests.core.test_audit import writers_run

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC)


class Rollback(Exception):
    pass


def entries(n: int, actor="tester") -> list[dict]:
    return [
        {
            "actor": actor,
            "action": "test.many",
            "target_type": "test",
            "target_id": str(i),
            "target_repr": f"event {i}",
            "changes": {"n": [None, i], "big": [None, 3e26]},
        }
        for i in range(n)
    ]


def chain() -> list[tuple]:
    return list(
        AuditEntry.objects.order_by("seq").values_list(
            "seq", "created_at", "actor_id", "actor_label", "prev_hash", "hash"
        )
    )


def test_many_entries_extend_one_verifying_chain():
    audit_record(actor="first", action="test.one")
    written = audit_record_many(entries(5))
    audit_record(actor="last", action="test.one")
    assert [e.seq for e in written] == [2, 3, 4, 5, 6]
    assert all(e.pk for e in written)
    assert list(AuditEntry.objects.order_by("seq").values_list("target_id", flat=True)) == [
        "",
        "0",
        "1",
        "2",
        "3",
        "4",
        "",
    ]
    assert ChainHead.objects.get(pk=1).seq == 7
    result = audit_verify()
    assert result.ok and result.checked == 7


def test_many_writes_the_hashes_of_as_many_single_calls(monkeypatch, officer):
    """On a fresh chain at one instant, one call for N entries and N calls give the same rows."""
    monkeypatch.setattr("core.audit.timezone.now", lambda: NOW)
    batch = entries(4) + [
        {"actor": officer, "action": "test.user", "target": officer, "changes": {"a": [1, 2]}}
    ]
    with pytest.raises(Rollback), transaction.atomic():
        audit_record_many(batch)
        many = chain()
        raise Rollback
    assert not AuditEntry.objects.exists()
    for kwargs in batch:
        audit_record(**kwargs)
    single = chain()
    assert len(many) == 5
    assert many == single
    assert many[-1][2] == officer.pk


def test_no_entries_write_nothing():
    assert audit_record_many([]) == []
    assert not AuditEntry.objects.exists()


def test_many_entries_take_the_same_queries_as_one(django_assert_num_queries):
    audit_record(actor="warm", action="test.one")
    with CaptureQueriesContext(connection) as one:
        audit_record_many(entries(1))
    assert len(one.captured_queries) <= 6  # savepoint, head, lock, insert, head update, release
    with django_assert_num_queries(len(one.captured_queries)):
        audit_record_many(entries(50))
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_and_single_writers_keep_one_linear_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write; the row-lock race needs PostgreSQL.")
    threads, rounds, per_batch = 6, 10, 5

    def writer(n: int) -> None:
        for _ in range(rounds):
            with transaction.atomic():
                if n % 2:
                    audit_record_many(entries(per_batch, actor=f"writer-{n}"))
                else:
                    audit_record(actor=f"writer-{n}", action="test.single")

    assert writers_run(threads, writer) == []
    total = (threads // 2) * rounds * (per_batch + 1)
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    assert AuditEntry.objects.values("prev_hash").distinct().count() == total
    for n in range(1, threads, 2):  # a batch's entries sit together in the chain
        batch_seqs = list(
            AuditEntry.objects.filter(actor_label=f"writer-{n}")
            .order_by("seq")
            .values_list("seq", flat=True)
        )
        for i in range(0, len(batch_seqs), per_batch):
            part = batch_seqs[i : i + per_batch]
            assert part == list(range(part[0], part[0] + per_batch))
    assert ChainHead.objects.get(pk=1).seq == total
    assert audit_verify().ok
