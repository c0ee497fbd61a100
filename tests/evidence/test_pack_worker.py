"""A pack built by a real `celery worker` process on Redis and PostgreSQL (interfaces 9)."""

import datetime as dt

import pytest

from evidence.manifest import verify_pack
from evidence.models import EvidencePack
from evidence.services import pack_create
from tests.evidence.world import make_world
from tests.integration.conftest import celery_worker, wait_until  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration


@pytest.fixture
def worker_env(monkeypatch, signing_key, storage_dir):
    """The worker process reads the key path from the environment, so it signs with the test key."""
    monkeypatch.setenv("SIGHTLINE_PACK_SIGNING_KEY_PATH", str(signing_key.path))
    return signing_key


def test_real_worker_builds_a_verifiable_pack(
    worker_env,
    celery_worker,  # noqa: F811
    officer,
    auditor,
    storage_dir,
):
    make_world(actor=officer, systems=3, files_per_system=1)
    pack = pack_create(
        actor=auditor, regime="eu", period_from=dt.date(2026, 1, 1), period_to=dt.date(2026, 6, 30)
    )
    # transactional_db: on_commit has fired, so the task is already on the worker's queue.
    done = wait_until(
        lambda: EvidencePack.objects.filter(pk=pack.pk, status__in=["done", "failed"]).first(),
        timeout=180,
        what="the pack build",
    )
    assert done.status == EvidencePack.Status.DONE, done.error + celery_worker.log()[-2000:]
    assert "evidence.pack_build" in celery_worker.log()
    report = verify_pack(storage_dir / done.zip_path)
    assert report.ok, report.problems()
    assert done.missing_count == 1
