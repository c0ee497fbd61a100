"""A batch's write, split into parts that workers write at once.

Each chunk packs its rollups per part (by identity, rollups.rollup_part), so the rollup parts
hold disjoint keys: no two touch the same rollup or identity row, and an app's new users add up
across parts. One more part evaluates the LLMjacking rules over the CloudTrail events the
batch's chunks stored (its own transaction, one evaluation at a time, as before). When the last
chunk is done, the parts are taken (queued on Celery, written on a thread each by
``manage.py ingest --sync``); each part is one transaction that marks itself done, so a part is
never written twice. The run is finalised (the other rules, file totals) once every part is.
"""

from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
from django.utils import timezone

from discovery.jobs import ingest_heartbeat
from discovery.models import IngestChunk, IngestPart, IngestRun
from discovery.services.chunks import chunk_packs
from discovery.services.rollups import rollups_write
from discovery.services.rules import llmjacking_apply

WRITE_PARTS = 8  # rollup parts: enough for 8 workers; a batch of one chunk is written as one


def write_parts_for(chunks: int) -> int:
    return max(1, min(WRITE_PARTS, chunks))


def parts_of(run: IngestRun) -> list[IngestPart]:
    """The run's parts: its rollup parts, then the LLMjacking part (index ``write_parts``)."""
    return [IngestPart(run=run, index=i) for i in range(run.write_parts + 1)]


def chunks_owed(run_id: int) -> bool:
    """Read without a lock, so a chunk that did not complete the batch never waits on the run's
    row. Safe: the chunk that does complete it commits before it looks, so it sees all done."""
    return (
        IngestChunk.objects.filter(run_id=run_id).exclude(status=IngestChunk.Status.DONE).exists()
    )


def parts_done(run: IngestRun) -> bool:
    done = run.parts.filter(status=IngestPart.Status.DONE).count()
    return done == run.write_parts + 1


def ingest_parts_take(*, run_id: int) -> list[int]:
    """Once every chunk is done: the parts nobody has taken yet, now marked queued (so two
    chunks finishing together queue each part once)."""
    if chunks_owed(run_id):
        return []
    with transaction.atomic():
        run = IngestRun.objects.select_for_update().get(pk=run_id)
        if run.status != IngestRun.Status.RUNNING or run.finalised:
            return []
        if run.chunks.exclude(status=IngestChunk.Status.DONE).exists():
            return []
        # A run planned before batches were written in parts gets them now.
        IngestPart.objects.bulk_create(parts_of(run), ignore_conflicts=True)
        pending = run.parts.filter(status=IngestPart.Status.PENDING)
        indexes = list(pending.order_by("-index").values_list("index", flat=True))
        pending.update(status=IngestPart.Status.QUEUED)
    return indexes


def ingest_part_write(*, run_id: int, index: int) -> bool:
    """Writes one part: a rollup part's rows from every chunk, or (the last index) the batch's
    LLMjacking findings. False if it was already written (a redelivered
    task) or the run has failed since."""
    ingest_heartbeat(run_id=run_id)
    with transaction.atomic():
        part = (
            IngestPart.objects.select_for_update(of=("self",))  # not the run's row
            .select_related("run")
            .get(run_id=run_id, index=index)
        )
        if part.status == IngestPart.Status.DONE or part.run.status == IngestRun.Status.FAILED:
            return False
        if index < part.run.write_parts:
            part.rows = rollups_write(packs=chunk_packs(part.run, index))
        else:
            part.rows = llmjacking_apply(run=part.run)
        part.status = IngestPart.Status.DONE
        part.finished_at = timezone.now()
        part.save(update_fields=["rows", "status", "finished_at"])
    ingest_heartbeat(run_id=run_id)
    return True


def _write_on_own_connection(run_id: int, index: int) -> bool:
    try:
        return ingest_part_write(run_id=run_id, index=index)
    finally:
        connection.close()


def ingest_parts_write(*, run_id: int, indexes: list[int], threads: int = 1) -> None:
    """Writes the parts here: on ``threads`` threads with a database connection each when the
    database takes concurrent writers (PostgreSQL) and no transaction is open around the call
    (threads could not see its rows), one after the other otherwise."""
    parallel = (
        threads > 1
        and len(indexes) > 1
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )
    if not parallel:
        for index in indexes:
            ingest_part_write(run_id=run_id, index=index)
        return
    with ThreadPoolExecutor(max_workers=min(threads, len(indexes))) as pool:
        for outcome in [pool.submit(_write_on_own_connection, run_id, i) for i in indexes]:
            outcome.result()
