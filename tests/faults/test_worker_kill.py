"""Faults on real PostgreSQL, Redis and Celery: a worker killed with SIGKILL mid-ingest loses nothing.

The audit chain under 8 parallel writers is tested in tests/core/test_audit.py
(test_concurrent_writers_keep_one_linear_chain) and two assessment editors in
tests/assessments/test_concurrency_pg.py; they are not duplicated here.
"""

import os
import signal
import subprocess

import pytest

from discovery.models import IngestChunk, IngestRun
from discovery.services import ingest_run_create
from discovery.tasks import ingest_run_process
from tests.discovery.conftest import SQUID
from tests.discovery.test_usage_summary import assert_summary_matches_rollups
from tests.discovery.totals import pipeline_requests, rollup_requests
from tests.integration.conftest import DEFAULT_TEST_BROKER, ROOT, _database_url, wait_until

pytestmark = pytest.mark.integration


def _restart(worker) -> subprocess.Popen:
    """A second worker on the same queue, like a supervisor restarting the killed one."""
    from django.conf import settings

    env = dict(
        os.environ,
        DATABASE_URL=_database_url(),
        CELERY_TASK_ALWAYS_EAGER="0",
        CELERY_BROKER_URL=os.environ.get("CELERY_TEST_BROKER_URL", DEFAULT_TEST_BROKER),
        SIGHTLINE_STORAGE_DIR=str(settings.SIGHTLINE_STORAGE_DIR),
    )
    log = open(worker.log_path, "ab")  # noqa: SIM115 - the child keeps it open
    return subprocess.Popen(
        worker.process.args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )


def test_worker_killed_mid_ingest_then_rerun_gives_exact_totals(tiny_chunks, celery_worker):
    from discovery.catalog_loader import load_catalog

    load_catalog()
    expected = pipeline_requests(SQUID, "squid")
    run, _ = ingest_run_create(path=SQUID, actor="fault-test")
    ingest_run_process.delay(run_id=run.pk)
    wait_until(
        lambda: IngestChunk.objects.filter(run=run, status="done").count() >= 3,
        timeout=120,
        what="a few chunks to finish",
    )
    os.kill(celery_worker.process.pid, signal.SIGKILL)
    celery_worker.process.wait(timeout=10)
    run.refresh_from_db()
    done = IngestChunk.objects.filter(run=run, status="done").count()
    assert run.status != "done" and done < run.chunks_total, "the kill came too late to test"

    replacement = _restart(celery_worker)
    try:
        wait_until(
            lambda: celery_worker.log().count(" ready.") >= 2,
            timeout=60,
            what="the restarted worker",
        )
        ingest_run_process.delay(run_id=run.pk)  # the re-run: only unfinished chunks are redone
        run = wait_until(
            lambda: IngestRun.objects.filter(pk=run.pk, status__in=["done", "failed"]).first(),
            timeout=180,
            what="the re-run to finish",
        )
    finally:
        replacement.terminate()
        replacement.wait(timeout=15)
    assert run.status == "done", run.error
    assert IngestChunk.objects.filter(run=run, status="done").count() == run.chunks_total
    assert run.lines_read == 1887
    assert rollup_requests() == expected
    assert_summary_matches_rollups()  # the killed chunk's summary merge rolled back with it
