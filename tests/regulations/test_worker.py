"""On a real worker: a system change is re-classified in the background (Postgres + Redis only)."""

import io

import pytest
from django.core.management import call_command

from inventory.services import ai_system_create, ai_system_update
from regulations.models import ClassificationResult
from tests.integration.conftest import celery_worker, wait_until  # noqa: F401 - fixture
from tests.regulations.content_factory import write_version

pytestmark = pytest.mark.integration


def test_system_changes_are_reclassified_by_the_worker(celery_worker, content_dir, officer):  # noqa: F811
    write_version(content_dir)
    call_command("load_content", content_dir=content_dir, no_classify=True, stdout=io.StringIO())
    system = ai_system_create(
        actor=officer,
        data={
            "name": "Worker screener",
            "model_type": "ml_classifier",
            "roles": ["deployer"],
            "jurisdictions": ["DE"],
            "domains": ["employment"],
            "decision_role": "sole",
        },
    )
    first = wait_until(
        lambda: ClassificationResult.objects.filter(system=system).first(),
        timeout=60,
        what="the first classification",
    )
    assert first.applies and first.outcome == "high"

    ai_system_update(actor=officer, system=system, data={"domains": ["marketing"]})
    second = wait_until(
        lambda: ClassificationResult.objects.filter(system=system, applies=False).first(),
        timeout=60,
        what="the re-classification after the domain change",
    )
    assert second.previous_id == first.pk
    assert "classify_system_task" in celery_worker.log()
