"""Nightly chain verification: the outcome itself goes into the chain, so gaps in checking show."""

import logging

from celery import shared_task

from core.audit import audit_record, audit_verify
from core.audit_checkpoint import audit_checkpoint_create, checkpoints_verify
from core.jobs import jobs_watchdog

log = logging.getLogger(__name__)


def audit_verify_run() -> dict:
    """Verify the whole chain and append an `audit.verify` entry with the outcome."""
    result = audit_verify()
    signed = checkpoints_verify()
    outcome = {
        "ok": result.ok and signed.ok,
        "checked": result.checked,
        "broken_seq": result.broken_seq,
        "reason": result.reason or signed.reason,
    }
    if not result.ok:
        log.error("Audit chain broken at entry #%s: %s", result.broken_seq, result.reason)
    audit_record(
        actor="audit-verify-task",
        action="audit.verify",
        target_type="core.auditentry",
        target_repr="Audit chain verification",
        changes={key: [None, value] for key, value in outcome.items()},
    )
    return outcome


@shared_task(name="core.tasks.audit_verify_task")
def audit_verify_task() -> dict:
    return audit_verify_run()


@shared_task(name="core.tasks.audit_checkpoint_task")
def audit_checkpoint_task() -> dict:
    """Nightly: sign the chain head with the key kept off the database."""
    checkpoint = audit_checkpoint_create()
    return {"seq": checkpoint.seq, "head_hash": checkpoint.head_hash}


@shared_task(name="core.tasks.jobs_watchdog_task")
def jobs_watchdog_task() -> dict[str, int]:
    """Beat task: ingest runs and pack builds whose worker died are failed, with a retry action."""
    return jobs_watchdog()
