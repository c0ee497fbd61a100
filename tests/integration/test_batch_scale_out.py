"""One batch shared by two Celery worker processes (PostgreSQL, Redis).

A folder of a proxy log and CloudTrail files in small chunks: both workers must take chunks of
the same run, the batch is merged and written once, and every total equals the same batch
ingested in one process.
"""

import shutil

import pytest

from discovery.models import Finding, IngestChunk, IngestPart, IngestRun, UsageRollup
from discovery.services import ingest_batch_create, ingest_run_execute
from discovery.tasks import ingest_run_process
from tests.discovery import cloudtrail_gen as gen
from tests.discovery.conftest import SQUID
from tests.discovery.test_usage_summary import assert_summary_matches_rollups
from tests.discovery.totals import pipeline_requests, rollup_requests
from tests.integration.conftest import wait_until
from tests.integration.test_two_workers import _forget_everything, _state

pytestmark = pytest.mark.integration


@pytest.fixture
def small_chunks(ingest_chunk_bytes):
    """4 KB chunks, set before the workers start (they plan the run): dozens of chunk tasks."""
    ingest_chunk_bytes(4096)


def _chunks_done(log: str) -> int:
    return sum(
        1
        for line in log.splitlines()
        if "Task discovery.ingest_chunk_process[" in line and " succeeded in " in line
    )


def _parts_written(log: str) -> int:
    return sum(
        1
        for line in log.splitlines()
        if "Task discovery.ingest_part_write[" in line and " succeeded in " in line
    )


def _overlapping_chunks(run: IngestRun) -> int:
    """Pairs of chunks whose processing (taken by a worker .. stored) overlapped in time."""
    spans = sorted(
        IngestChunk.objects.filter(run=run).values_list("started_at", "finished_at"),
    )
    return sum(
        1
        for (_start, end), (next_start, _end) in zip(spans, spans[1:], strict=False)
        if next_start < end
    )


def test_one_batch_on_two_worker_processes_counts_exactly_and_both_take_chunks(
    small_chunks, celery_worker, second_worker, tmp_path
):
    from discovery.catalog_loader import load_catalog

    load_catalog()
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(SQUID, folder / "squid-access.log")
    gen.write_files(gen.generate(seed=5), folder / "cloudtrail", parts=6)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    batch = ingest_batch_create(files=[(p, p.name) for p in files], actor="scale-out")
    assert batch.created
    ingest_run_process.delay(run_id=batch.run.pk)
    run = wait_until(
        lambda: IngestRun.objects.filter(
            pk=batch.run.pk, status__in=["done", "failed", "needs_attention"]
        ).first(),
        timeout=300,
        what="the batch to finish on the two workers",
    )
    assert run.status == "done", (run.error, run.attention)
    assert run.chunks_total >= 20
    assert IngestChunk.objects.filter(run=run, status="done").count() == run.chunks_total
    per_worker = [_chunks_done(celery_worker.log()), _chunks_done(second_worker.log())]
    assert min(per_worker) > 0, per_worker  # both processes worked on the one batch
    assert sum(per_worker) == run.chunks_total, per_worker
    # No lock serialises the chunk tasks: some were in flight at the same time.
    assert _overlapping_chunks(run) > 0
    # The write went out as one task per part, each part written once, every row in one part.
    parts = list(IngestPart.objects.filter(run=run).order_by("index").values_list("status", "rows"))
    assert run.write_parts + 1 == len(parts) > 2 and {s for s, _ in parts} == {"done"}
    assert _parts_written(celery_worker.log()) + _parts_written(second_worker.log()) == len(parts)
    assert sum(rows for _, rows in parts[:-1]) == UsageRollup.objects.count()
    # The last part evaluated LLMjacking: every finding of that kind is this first batch's.
    assert parts[-1][1] == Finding.objects.filter(kind=Finding.Kind.LLMJACKING).count()

    squid = pipeline_requests(SQUID, "squid")
    stored = rollup_requests()
    assert {k: stored.get(k) for k in squid} == squid
    assert_summary_matches_rollups()
    shared = _state()
    assert shared["events"] == shared["seen"] > 0
    assert shared["lines_read"] == run.lines_read > 1887

    # The same batch in one process, one engine process: the very same state.
    _forget_everything()
    again = ingest_batch_create(files=[(p, p.name) for p in files], actor="scale-out")
    assert ingest_run_execute(run_id=again.run.pk, processes=1).status == "done"
    assert _state() == shared
