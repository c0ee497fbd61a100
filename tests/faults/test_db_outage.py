"""Database outage mid-task: the worker's connection is killed with pg_terminate_backend.

The worker is made to wait on a row lock inside its chunk transaction, so the kill lands mid-write
every time. The run must end "failed" with a retry action, never hang as "running" or show a
half-merged chunk as complete; the retry then brings the totals to the ground truth exactly.
"""

from contextlib import contextmanager

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from discovery.models import IngestChunk, IngestRun
from discovery.services import ingest_run_create, ingest_run_retry
from discovery.tasks import ingest_run_process
from tests.conftest import PASSWORD
from tests.discovery.conftest import SQUID
from tests.discovery.totals import pipeline_requests, rollup_requests
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.integration


@contextmanager
def _run_row_locked(run_pk: int):
    """Holds the run's row lock on a second connection: a worker that merges a chunk then waits
    for it inside its transaction, connection open, instead of slipping between our kills."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    ) as locker:
        locker.execute("SELECT 1 FROM discovery_ingestrun WHERE id = %s FOR UPDATE", [run_pk])
        yield locker.info.backend_pid
        locker.rollback()


def _kill_backends_waiting_on_lock(locker_pid: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND pid NOT IN (pg_backend_pid(), %s)",
            [locker_pid],
        )
        return cursor.fetchone()[0]


def test_db_connection_killed_mid_ingest_fails_cleanly_and_retries_exactly(
    tiny_chunks, celery_worker, client, officer
):
    from discovery.catalog_loader import load_catalog

    load_catalog()
    expected = pipeline_requests(SQUID, "squid")
    run, _ = ingest_run_create(path=SQUID, actor="fault-test")
    ingest_run_process.delay(run_id=run.pk)
    wait_until(
        lambda: IngestChunk.objects.filter(run=run, status="done").count() >= 2,
        timeout=120,
        what="a few chunks to finish",
    )
    with _run_row_locked(run.pk) as locker_pid:
        killed = wait_until(
            lambda: _kill_backends_waiting_on_lock(locker_pid),
            interval=0.05,
            timeout=60,
            what="the worker to block on the run row, mid-transaction",
        )
    assert killed >= 1
    run = wait_until(
        lambda: IngestRun.objects.filter(pk=run.pk, status="failed").first(),
        timeout=120,
        what="the run to show 'failed' instead of hanging as running",
    )
    # The kill lands in a chunk's transaction (that chunk failed, its merge rolled back) or
    # just after a chunk was stored, while it looked whether the batch's write was due.
    chunk_failed = IngestChunk.objects.filter(run=run, status="failed").exists()
    assert chunk_failed or run.error.startswith(("Writing failed", "Finalising failed")), run.error
    client.login(username=officer.username, password=PASSWORD)
    page = client.get(reverse("discovery:run-detail", kwargs={"pk": run.pk})).content.decode()
    assert reverse("discovery:run-retry", kwargs={"pk": run.pk}) in page
    assert run.finalised is False
    ingest_run_retry(run=run, actor="fault-test")
    run = wait_until(
        lambda: IngestRun.objects.filter(pk=run.pk, status="done").first(),
        timeout=120,
        what="the retried run",
    )
    assert rollup_requests() == expected
