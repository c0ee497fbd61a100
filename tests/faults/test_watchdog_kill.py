"""SIGKILL of a real worker mid-ingest and mid-pack (PostgreSQL, Redis): the watchdog fails the
job within its window instead of leaving it "running" until Redis redelivers the unacknowledged
task an hour later, and the retry gives exact totals (ingest) or a verifiable pack.

The window is six seconds here (SIGHTLINE_WATCHDOG_MINUTES=0.1, read by the workers from the
environment). The test process plays celery beat: it sends the watchdog task to the worker's
queue every second, as the beat schedule does every half window.
"""

import datetime as dt
import time

import pytest
from django.utils import timezone

from core.models import AuditEntry
from core.tasks import jobs_watchdog_task
from discovery.models import IngestChunk, IngestRun
from discovery.services import ingest_run_retry
from evidence.manifest import verify_pack
from evidence.models import EvidencePack
from evidence.services import pack_create, pack_retry
from tests.discovery.test_usage_summary import assert_summary_matches_rollups
from tests.discovery.totals import rollup_requests
from tests.evidence.world import make_world
from tests.faults.conftest import kill, kill_mid_chunk, restart, squid_ingest_under_way
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.integration
WINDOW = 6.0  # seconds
SLACK = 5.0  # beat interval, the worker's poll and a loaded CI machine


@pytest.fixture
def short_watchdog(monkeypatch, settings):
    """Listed before celery_worker, so the workers start with the short window."""
    monkeypatch.setenv("SIGHTLINE_WATCHDOG_MINUTES", str(WINDOW / 60))
    settings.SIGHTLINE_WATCHDOG_MINUTES = WINDOW / 60


def _beat_until(predicate, *, timeout: float, what: str):
    """Sends the watchdog task every second (as beat would) until predicate() holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs_watchdog_task.delay()
        if value := predicate():
            return value
        time.sleep(1)
    pytest.fail(f"Timed out after {timeout:.0f}s waiting for {what}.")


def _stop(process) -> None:
    process.terminate()
    process.wait(timeout=15)


def test_worker_killed_mid_ingest_is_failed_by_the_watchdog_and_retried_exactly(
    short_watchdog, tiny_chunks, celery_worker
):
    run, expected = squid_ingest_under_way()
    kill_mid_chunk(celery_worker, run)
    run.refresh_from_db()
    assert run.status == "running" and run.chunks_total > 3, "the kill came too late to test"

    replacement = restart(celery_worker)
    try:
        failed = _beat_until(
            lambda: IngestRun.objects.filter(pk=run.pk, status="failed").first(),
            timeout=120,
            what="the watchdog to fail the run",
        )
        # Failed within the window of the run's last sign of life (the last chunk taken).
        assert failed.finished_at - failed.heartbeat_at <= dt.timedelta(seconds=WINDOW + SLACK)
        assert failed.finished_at - failed.heartbeat_at >= dt.timedelta(seconds=WINDOW)
        assert "stopped" in failed.error or "No worker" in failed.error
        assert AuditEntry.objects.filter(action="discovery.ingest.stalled").count() == 1
        done_before = IngestChunk.objects.filter(run=run, status="done").count()
        assert done_before < failed.chunks_total  # the killed worker's chunk is still owed

        ingest_run_retry(run=failed, actor="fault-test")  # on commit: queued on the worker
        run = wait_until(
            lambda: IngestRun.objects.filter(pk=run.pk, status__in=["done", "failed"]).first(),
            timeout=180,
            what="the retried run",
        )
    finally:
        _stop(replacement)
    assert run.status == "done", run.error
    assert IngestChunk.objects.filter(run=run, status="done").count() == run.chunks_total
    assert run.lines_read == 1887
    assert rollup_requests() == expected
    assert_summary_matches_rollups()


@pytest.fixture
def pack_worker_env(monkeypatch, signing_key, storage_dir):
    """The workers sign with the test key, read from the environment."""
    monkeypatch.setenv("SIGHTLINE_PACK_SIGNING_KEY_PATH", str(signing_key.path))


def test_worker_killed_mid_pack_is_failed_by_the_watchdog_and_the_retry_builds_it(
    short_watchdog, pack_worker_env, celery_worker, officer, auditor, storage_dir
):
    make_world(actor=officer, systems=6, files_per_system=2)
    pack = pack_create(
        actor=auditor, regime="eu", period_from=dt.date(2026, 1, 1), period_to=dt.date(2026, 6, 30)
    )
    wait_until(
        lambda: EvidencePack.objects.filter(pk=pack.pk, status="running").exists(),
        interval=0.05,
        timeout=120,
        what="the build to start",
    )
    kill(celery_worker)
    pack.refresh_from_db()
    assert pack.status == "running", "the kill came too late to test"
    killed_at = timezone.now()

    replacement = restart(celery_worker)
    try:
        failed = _beat_until(
            lambda: EvidencePack.objects.filter(pk=pack.pk, status="failed").first(),
            timeout=60,
            what="the watchdog to fail the pack",
        )
        assert failed.finished_at - killed_at <= dt.timedelta(seconds=WINDOW + SLACK)
        assert "stopped" in failed.error
        assert AuditEntry.objects.filter(action="pack.stalled").count() == 1

        pack_retry(actor=auditor, pack=failed)
        done = wait_until(
            lambda: EvidencePack.objects.filter(pk=pack.pk, status__in=["done", "failed"]).first(),
            timeout=180,
            what="the retried build",
        )
    finally:
        _stop(replacement)
    assert done.status == "done", done.error
    report = verify_pack(storage_dir / done.zip_path)
    assert report.ok, report.problems()
