"""The watchdog fails an ingest run whose worker died (no heartbeat in the window), with a retry
that redoes only the lost chunks; a run merely waiting behind other work is left alone."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.jobs import jobs_watchdog
from core.models import AuditEntry
from discovery.jobs import ingest_chunk_claim
from discovery.models import IngestChunk, IngestPart, IngestRun
from discovery.services import (
    ingest_chunk_process,
    ingest_chunk_run,
    ingest_part_write,
    ingest_parts_take,
    ingest_run_create,
    ingest_run_execute,
    ingest_run_plan,
    ingest_run_retry,
)
from tests.discovery.conftest import SQUID
from tests.discovery.totals import pipeline_requests, rollup_requests

pytestmark = pytest.mark.usefixtures("catalog", "storage_dir")


@pytest.fixture
def planned(ingest_chunk_bytes):
    """The demo log planned into ~8 chunks, as a worker's ingest_run_process leaves it."""
    ingest_chunk_bytes(32768)
    run, _ = ingest_run_create(path=SQUID, actor="test")
    ingest_run_plan(run_id=run.pk)
    return IngestRun.objects.get(pk=run.pk)


def _age(run: IngestRun, minutes: float) -> None:
    IngestRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def test_a_run_whose_worker_died_mid_chunk_is_failed_with_a_retry_and_audited(
    planned, settings, as_officer
):
    settings.SIGHTLINE_WATCHDOG_MINUTES = 5
    ingest_chunk_process(run_id=planned.pk, index=0)
    ingest_chunk_process(run_id=planned.pk, index=1)
    ingest_chunk_claim(run_id=planned.pk, index=2)  # the worker took chunk 2, then was killed
    assert jobs_watchdog() == {"ingest": 0, "pack": 0}  # within the window: still running
    _age(planned, 6)

    assert jobs_watchdog() == {"ingest": 1, "pack": 0}

    run = IngestRun.objects.get(pk=planned.pk)
    assert run.status == "failed" and "stopped" in run.error and "5 minutes" in run.error
    lost = IngestChunk.objects.get(run=run, index=2)
    assert lost.status == "failed" and lost.started_at is None
    assert IngestChunk.objects.filter(run=run, status="done").count() == 2
    entry = AuditEntry.objects.get(action="discovery.ingest.stalled")
    assert entry.actor_label == "watchdog" and entry.changes["lost_chunks"] == [None, [2]]
    page = as_officer.get(reverse("discovery:run-detail", kwargs={"pk": run.pk})).content.decode()
    assert reverse("discovery:run-retry", kwargs={"pk": run.pk}) in page

    ingest_run_retry(run=run, actor="test")
    run = ingest_run_execute(run_id=run.pk)
    assert run.status == "done"
    assert run.lines_read == 1887
    assert rollup_requests() == pipeline_requests(SQUID, "squid")  # nothing counted twice


def test_a_run_killed_while_finalising_is_failed_too(planned, settings):
    settings.SIGHTLINE_WATCHDOG_MINUTES = 5
    IngestChunk.objects.filter(run=planned).update(status="done")  # then the worker died
    _age(planned, 6)
    assert jobs_watchdog()["ingest"] == 1
    assert IngestRun.objects.get(pk=planned.pk).status == "failed"


def test_a_run_killed_while_writing_its_parts_is_failed_and_the_retry_writes_each_part_once(
    planned, settings
):
    settings.SIGHTLINE_WATCHDOG_MINUTES = 5
    for index in range(planned.chunks_total):
        ingest_chunk_run(run_id=planned.pk, index=index)
    taken = ingest_parts_take(run_id=planned.pk)  # queued on the worker ...
    assert len(taken) == planned.write_parts + 1 > 2  # the rollup parts and the LLMjacking part
    assert ingest_parts_take(run_id=planned.pk) == []  # ... once
    ingest_part_write(run_id=planned.pk, index=taken[0])  # then the worker died
    _age(planned, 6)
    assert jobs_watchdog()["ingest"] == 1
    run = IngestRun.objects.get(pk=planned.pk)
    assert run.status == "failed" and "stopped" in run.error

    ingest_run_retry(run=run, actor="test")  # the parts still owed are queued again
    run = ingest_run_execute(run_id=run.pk)
    assert run.status == "done"
    assert IngestPart.objects.filter(run=run, status="done").count() == run.write_parts + 1
    assert rollup_requests() == pipeline_requests(SQUID, "squid")  # no part written twice


def test_a_run_waiting_behind_other_work_is_left_alone(planned, settings):
    settings.SIGHTLINE_WATCHDOG_MINUTES = 5
    _age(planned, 30)  # its chunks are queued, none taken
    busy, _ = ingest_run_create(path=SQUID.with_name("zeek-ssl.log"), actor="test")
    IngestRun.objects.filter(pk=busy.pk).update(status="running", heartbeat_at=timezone.now())

    assert jobs_watchdog()["ingest"] == 0
    assert IngestRun.objects.get(pk=planned.pk).status == "running"


def test_with_no_work_progressing_anywhere_a_queued_run_is_failed_not_left_queued(settings):
    settings.SIGHTLINE_WATCHDOG_MINUTES = 5
    run, _ = ingest_run_create(path=SQUID, actor="test")
    _age(run, 6)

    assert jobs_watchdog()["ingest"] == 1
    run.refresh_from_db()
    assert run.status == "failed" and run.error.startswith("No worker picked this run up")


def test_the_window_may_be_a_fraction_of_a_minute(planned, settings):
    settings.SIGHTLINE_WATCHDOG_MINUTES = 0.05  # three seconds
    ingest_chunk_claim(run_id=planned.pk, index=0)
    IngestRun.objects.filter(pk=planned.pk).update(
        heartbeat_at=timezone.now() - dt.timedelta(seconds=4)
    )
    assert jobs_watchdog()["ingest"] == 1


def test_the_progress_shows_the_write_once_every_chunk_is_read(planned, as_officer):
    for index in range(planned.chunks_total):
        ingest_chunk_run(run_id=planned.pk, index=index)
    taken = ingest_parts_take(run_id=planned.pk)
    ingest_part_write(run_id=planned.pk, index=taken[0])
    url = reverse("discovery:run-progress", kwargs={"pk": planned.pk})
    page = as_officer.get(url).content.decode()
    assert (
        f"all {planned.chunks_total} chunks read · writing the batch: "
        f"1 of {planned.write_parts + 1} parts written"
    ) in page
