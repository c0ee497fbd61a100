"""Pack builds as watched jobs: a build whose worker died is failed, with a retry action.

A running build stamps its heartbeat at each step (and every few seconds while the PDF parts are
laid out), so a running build with an old heartbeat has lost its worker. A queued build is only
failed when no job anywhere has progressed in the window: no worker is taking work.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.audit import audit_record
from core.jobs import JobWatch, watchdog_window_text
from evidence.models import EvidencePack

ACTIVE = (EvidencePack.Status.QUEUED, EvidencePack.Status.RUNNING)


def pack_last_heartbeat() -> dt.datetime | None:
    return EvidencePack.objects.aggregate(t=Max("heartbeat_at"))["t"]


def _message(window: str, *, running: bool) -> str:
    if running:
        return (
            f"The worker building this pack stopped (no progress for {window}): it was "
            "probably killed or restarted. Retry to build it again."
        )
    return f"No worker picked this pack up for {window}. Retry once the workers are running."


def packs_fail_stalled(*, cutoff: dt.datetime, idle: bool) -> int:
    statuses = ACTIVE if idle else (EvidencePack.Status.RUNNING,)
    window = watchdog_window_text()
    failed = 0
    ids = EvidencePack.objects.filter(status__in=statuses, heartbeat_at__lt=cutoff)
    for pack_id in ids.values_list("pk", flat=True):
        with transaction.atomic():
            pack = (
                EvidencePack.objects.select_for_update(skip_locked=True)
                .filter(pk=pack_id, status__in=statuses, heartbeat_at__lt=cutoff)
                .first()
            )
            if pack is None:
                continue
            before = pack.status
            message = _message(window, running=before == EvidencePack.Status.RUNNING)
            pack.status, pack.error = EvidencePack.Status.FAILED, message
            pack.progress_note, pack.finished_at = "Failed", timezone.now()
            pack.save(update_fields=["status", "error", "progress_note", "finished_at"])
            audit_record(
                actor="watchdog",
                action="pack.stalled",
                target=pack,
                changes={"status": [before, pack.status]},
            )
            failed += 1
    return failed


def pack_unqueued(message: str, *, pack_id: int) -> None:
    """The broker refused the build at submit time: failed at once, retryable, audited."""
    with transaction.atomic():
        updated = EvidencePack.objects.filter(pk=pack_id, status__in=ACTIVE).update(
            status=EvidencePack.Status.FAILED,
            error=message,
            progress_note="Failed",
            finished_at=timezone.now(),
        )
        if updated:
            audit_record(
                actor="system",
                action="pack.unqueued",
                target=EvidencePack.objects.get(pk=pack_id),
                changes={"status": [EvidencePack.Status.QUEUED, EvidencePack.Status.FAILED]},
            )


WATCHES = [JobWatch("pack", pack_last_heartbeat, packs_fail_stalled)]
