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
