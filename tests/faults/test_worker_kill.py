"""Faults on real PostgreSQL, Redis and Celery: a worker killed with SIGKILL mid-ingest loses nothing.

The audit chain under 8 parallel writers is tested in tests/core/test_audit.py
(test_concurrent_writers_keep_one_linear_chain) and two assessment editors in
tests/assessments/test_concurrency_pg.py; they are not duplicated here.
"""

import pytest

from discovery.models import IngestChunk, IngestRun
from discovery.tasks import ingest_run_process
from tests.discovery.test_usage_summary import assert_summary_matches_rollups
from tests.discovery.totals import rollup_requests
from tests.faults.conftest import kill, restart, squid_ingest_under_way
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.integration


def test_worker_killed_mid_ingest_then_rerun_gives_exact_totals(tiny_chunks, celery_worker):
    run, expected = squid_ingest_under_way()
    kill(celery_worker)
    run.refresh_from_db()
    done = IngestChunk.objects.filter(run=run, status="done").count()
    assert run.status != "done" and done < run.chunks_total, "the kill came too late to test"

    replacement = restart(celery_worker)
    try:
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
