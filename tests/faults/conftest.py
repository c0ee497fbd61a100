import os
import signal
import subprocess

import pytest

from tests.discovery.conftest import SQUID
from tests.discovery.totals import pipeline_requests
from tests.integration.conftest import (  # noqa: F401 - real worker on Redis + PostgreSQL
    ROOT,
    celery_worker,
    wait_until,
    worker_env,
)


@pytest.fixture
def tiny_chunks(ingest_chunk_bytes):
    """2 KB chunks, so a small log is many chunk tasks a worker can be killed between."""
    ingest_chunk_bytes(2048)


def squid_ingest_under_way():
    """The Squid sample queued on the worker, returned once a few chunks are done, with the
    requests an in-process read counts."""
    from discovery.catalog_loader import load_catalog
    from discovery.models import IngestChunk
    from discovery.services import ingest_run_create
    from discovery.tasks import ingest_run_process

    load_catalog()
    expected = pipeline_requests(SQUID, "squid")
    run, _ = ingest_run_create(path=SQUID, actor="fault-test")
    ingest_run_process.delay(run_id=run.pk)
    wait_until(
        lambda: IngestChunk.objects.filter(run=run, status="done").count() >= 3,
        timeout=120,
        what="a few chunks to finish",
    )
    return run, expected


def kill(worker) -> None:
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)


def kill_mid_chunk(worker, run) -> None:
    """SIGKILL while the worker is inside a chunk it has claimed, never between two chunks.

    A plain kill can land after a chunk is stored but before the next is claimed; then no work
    is lost and the replacement rightly finishes the run. Here the test holds the run's row lock:
    claiming a chunk and storing it both update that row, so once a chunk shows as claimed and
    not done, the worker is inside it and cannot finish it before the kill."""
    from django.db import transaction

    from discovery.models import IngestChunk, IngestRun

    claimed = IngestChunk.objects.filter(run=run, status="pending", started_at__isnull=False)
    with transaction.atomic():
        IngestRun.objects.select_for_update(no_key=True).get(pk=run.pk)
        wait_until(claimed.exists, interval=0.05, timeout=60, what="the worker to claim a chunk")
        kill(worker)


def restart(worker) -> subprocess.Popen:
    """A second worker on the same queue, like a supervisor restarting the killed one; returned
    once it is ready."""
    log = open(worker.log_path, "ab")  # noqa: SIM115 - the child keeps it open
    replacement = subprocess.Popen(
        worker.process.args, cwd=ROOT, env=worker_env(), stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_until(
            lambda: worker.log().count(" ready.") >= 2, timeout=60, what="the restarted worker"
        )
    except BaseException:
        replacement.kill()
        raise
    return replacement
