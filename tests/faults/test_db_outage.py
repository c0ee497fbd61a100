"""Database outage mid-task: the worker's connection is killed with pg_terminate_backend.

Either the run still completes with exact totals (the next task reconnects), or it ends "failed"
with a retry action; it must never end half-merged yet shown as complete, nor hang as "running".
"""

import pytest
from django.db import connection
from django.urls import reverse

from discovery.models import IngestChunk, IngestRun
from discovery.services.ingest import ingest_run_create, ingest_run_retry
from discovery.tasks import ingest_run_process
from tests.conftest import PASSWORD
from tests.discovery.conftest import SQUID
from tests.integration.conftest import wait_until
from tests.integration.test_ingest_worker import stored, truth

pytestmark = pytest.mark.integration


@pytest.fixture
def tiny_chunks(monkeypatch, settings):
    monkeypatch.setenv("SIGHTLINE_INGEST_CHUNK_BYTES", "2048")
    settings.SIGHTLINE_INGEST_CHUNK_BYTES = 2048


def _kill_other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_db_connection_killed_mid_ingest_fails_cleanly_or_completes_exactly(
    tiny_chunks, celery_worker, client, officer
):
    from discovery.catalog_loader import load_catalog

    load_catalog()
    expected = truth()
    run, _ = ingest_run_create(path=SQUID, actor="fault-test")
    ingest_run_process.delay(run_id=run.pk)
    wait_until(
        lambda: IngestChunk.objects.filter(run=run, status="done").count() >= 2,
        timeout=120, what="a few chunks to finish",
    )  # fmt: skip
    killed = 0
    for _ in range(5):  # hit the worker while it holds a connection
        killed += _kill_other_backends()
    assert killed >= 1, "no worker connection to terminate"
    run = wait_until(
        lambda: IngestRun.objects.filter(pk=run.pk, status__in=["done", "failed"]).first(),
        timeout=120, what="the run to end (done or failed) instead of hanging as running",
    )  # fmt: skip
    if run.status == "done":
        assert IngestChunk.objects.filter(run=run, status="done").count() == run.chunks_total
        assert stored() == expected
        return
    assert run.error
    client.login(username=officer.username, password=PASSWORD)
    page = client.get(reverse("discovery:run-detail", kwargs={"pk": run.pk})).content.decode()
    assert reverse("discovery:run-retry", kwargs={"pk": run.pk}) in page
    assert run.finalised is False
    ingest_run_retry(run=run, actor="fault-test")
    run = wait_until(
        lambda: IngestRun.objects.filter(pk=run.pk, status="done").first(),
        timeout=120, what="the retried run",
    )  # fmt: skip
    assert stored() == expected
