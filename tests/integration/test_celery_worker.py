import pytest

from core.audit import audit_record
from core.models import AuditEntry
from core.tasks import audit_verify_task
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.integration


def test_real_worker_runs_audit_verify_and_its_result_lands_in_the_database(celery_worker):
    for i in range(3):
        audit_record(actor="tester", action="test.event", target_id=str(i))
    async_result = audit_verify_task.delay()
    entry = wait_until(
        lambda: AuditEntry.objects.filter(action="audit.verify").first(),
        timeout=60,
        what="the audit.verify entry",
    )
    assert entry.changes["ok"] == [None, True]
    assert entry.changes["checked"] == [None, 3]
    assert entry.actor_label == "audit-verify-task"
    log = wait_until(
        lambda: "succeeded" in celery_worker.log() and celery_worker.log(), what="the worker log"
    )
    assert async_result.id in log  # it ran in the worker process, not eagerly here
