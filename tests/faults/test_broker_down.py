"""The broker is down when a job is submitted: the page says so (503), and the job is failed and
retryable instead of sitting "queued" forever. The app is pointed at a closed port; the shared
Redis is never stopped."""

import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEntry
from discovery.models import IngestRun
from discovery.services import ingest_run_retry
from evidence.models import EvidencePack
from tests.discovery.conftest import SQUID
from tests.discovery.totals import pipeline_requests, rollup_requests

pytestmark = [
    pytest.mark.django_db(transaction=True),  # on_commit runs: the task is really sent
    pytest.mark.usefixtures("storage_dir"),
]
SCOPE = {"regime": "eu", "period_from": "2026-01-01", "period_to": "2026-06-30"}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def broker_down(eager_celery):
    """Tasks go to a Redis URL on a port nothing listens on; the undo restores eager tasks."""
    from kombu import pools

    app = eager_celery
    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager)

    def reset() -> None:
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    app.conf.broker_transport_options, app.conf.task_always_eager = {}, False
    reset()

    def restore() -> None:
        app.conf.broker_url, app.conf.broker_transport_options = saved[0], saved[1]
        app.conf.task_always_eager = True
        reset()

    yield restore
    restore()


@pytest.fixture
def catalog(db):
    from discovery.catalog_loader import load_catalog

    load_catalog(check=False)


@pytest.fixture
def eu(db):
    from tests.regulations.factories import RegimeFactory

    return RegimeFactory(code="eu")


def test_upload_with_the_broker_down_is_a_503_and_a_failed_retryable_run(
    broker_down, as_officer, catalog
):
    response = as_officer.post(
        reverse("discovery:run-upload"),
        {"file": SimpleUploadedFile("access.log", SQUID.read_bytes())},
    )

    assert response.status_code == 503
    page = response.content.decode()
    assert "task queue" in page and "retry" in page
    run = IngestRun.objects.get()
    assert reverse("discovery:run-detail", kwargs={"pk": run.pk}) in page
    assert run.status == "failed" and "could not be reached" in run.error
    assert AuditEntry.objects.filter(action="discovery.ingest.unqueued").count() == 1
    detail = as_officer.get(reverse("discovery:run-detail", kwargs={"pk": run.pk}))
    assert reverse("discovery:run-retry", kwargs={"pk": run.pk}) in detail.content.decode()

    broker_down()  # the broker is back: the retry runs the whole run, counted once
    ingest_run_retry(run=run, actor="test")
    run.refresh_from_db()
    assert run.status == "done"
    assert rollup_requests() == pipeline_requests(SQUID, "squid")


def test_pack_request_with_the_broker_down_is_a_503_page_and_a_failed_pack(
    broker_down, as_auditor, eu
):
    response = as_auditor.post(reverse("evidence:pack-create"), SCOPE)

    assert response.status_code == 503
    pack = EvidencePack.objects.get()
    assert pack.status == "failed" and "could not be reached" in pack.error
    assert reverse("evidence:pack-detail", kwargs={"pk": pack.pk}) in response.content.decode()
    assert AuditEntry.objects.filter(action="pack.unqueued").count() == 1
    detail = as_auditor.get(pack.get_absolute_url()).content.decode()
    assert reverse("evidence:pack-retry", kwargs={"pk": pack.pk}) in detail


def test_pack_api_with_the_broker_down_answers_503_with_the_failed_job(broker_down, as_auditor, eu):
    response = as_auditor.post("/api/evidence-packs/", SCOPE, content_type="application/json")

    assert response.status_code == 503
    body = response.json()
    pack = EvidencePack.objects.get()
    assert body["code"] == "queue_unavailable"
    assert body["job"] == reverse("evidence:pack-detail", kwargs={"pk": pack.pk})
    assert pack.status == "failed"


def test_retry_with_the_broker_still_down_is_a_503_and_the_run_stays_failed(
    broker_down, as_officer, catalog
):
    from discovery.services import ingest_run_create

    run, _ = ingest_run_create(path=SQUID, actor="test")
    IngestRun.objects.filter(pk=run.pk).update(status="failed", error="worker lost")

    response = as_officer.post(reverse("discovery:run-retry", kwargs={"pk": run.pk}))

    assert response.status_code == 503
    run.refresh_from_db()
    assert run.status == "failed" and "could not be reached" in run.error
