"""Beat tasks for vendor evidence."""

from celery import shared_task

from assessments.services import evidence_expiry_check


@shared_task(name="assessments.tasks.evidence_expiry_check")
def evidence_expiry_check_task() -> dict[str, int]:
    """Safe to re-run: expired rows are skipped, and each file gets at most one expiry deadline."""
    return evidence_expiry_check()
