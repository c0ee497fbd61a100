"""Ingest runs as watched jobs: heartbeats from the worker, and failing a run whose worker died.

A run is stalled when its heartbeat is older than the watchdog window and a worker had taken
work on it (a chunk started and never finished, or every chunk done and never finalised), or,
when no job anywhere has progressed in the window, while it still waits for a worker. A run
whose chunks merely wait behind another run's is left alone. Failed chunks keep their key, so
the retry redoes only them and never counts a finished chunk twice.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from core.audit import audit_record
from core.jobs import JobWatch, watchdog_window_text
from discovery.models import IngestChunk, IngestRun

ACTIVE = (IngestRun.Status.QUEUED, IngestRun.Status.RUNNING)


def ingest_heartbeat(*, run_id: int) -> None:
    IngestRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())


def ingest_chunk_claim(*, run_id: int, index: int) -> None:
    """A worker took the chunk: if it dies now, the watchdog knows the run has lost work."""
    now = timezone.now()
    IngestChunk.objects.filter(run_id=run_id, index=index).exclude(
        status=IngestChunk.Status.DONE
    ).update(started_at=now)
    IngestRun.objects.filter(pk=run_id).update(heartbeat_at=now)


def ingest_last_heartbeat() -> dt.datetime | None:
    return IngestRun.objects.aggregate(t=Max("heartbeat_at"))["t"]


def _stalled_message(window: str, *, taken: bool) -> str:
    if taken:
        return (
            f"The worker processing this run stopped (no progress for {window}): it was "
            "probably killed or restarted. Retry to redo the unfinished chunks; finished "
            "chunks are kept and never counted twice."
        )
    return (
        f"No worker picked this run up for {window}: its task was lost or no worker is "
        "running. Retry once the workers are running."
    )


def ingest_runs_fail_stalled(*, cutoff: dt.datetime, idle: bool) -> int:
    """Fails stalled runs (see the module docstring), with an audit entry each."""
    claimed = IngestChunk.objects.filter(
        run=OuterRef("pk"), status=IngestChunk.Status.PENDING, started_at__isnull=False
    )
    unfinished = IngestChunk.objects.filter(run=OuterRef("pk")).exclude(
        status=IngestChunk.Status.DONE
    )
    candidates = IngestRun.objects.filter(status__in=ACTIVE, heartbeat_at__lt=cutoff).annotate(
        taken=Exists(claimed), unfinished=Exists(unfinished)
    )
    if not idle:  # runs still waiting behind others' work are left alone
        candidates = candidates.filter(
            Q(taken=True) | Q(status=IngestRun.Status.RUNNING, chunks_total__gt=0, unfinished=False)
        )
    window = watchdog_window_text()
    failed = 0
    for run_id, taken in candidates.values_list("pk", "taken"):
        with transaction.atomic():
            # skip_locked: a run whose row is locked is being finalised right now.
            run = (
                IngestRun.objects.select_for_update(skip_locked=True)
                .filter(pk=run_id, status__in=ACTIVE, heartbeat_at__lt=cutoff)
                .first()
            )
            if run is None:
                continue
            message = _stalled_message(window, taken=taken or run.chunks_total > 0)
            lost = list(
                run.chunks.filter(status=IngestChunk.Status.PENDING, started_at__isnull=False)
                .order_by("index")
                .values_list("index", flat=True)
            )
            run.chunks.filter(index__in=lost).update(
                status=IngestChunk.Status.FAILED, error=message, started_at=None
            )
            before = run.status
            run.status = IngestRun.Status.FAILED
            run.error = message
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at"])
            audit_record(
                actor="watchdog",
                action="discovery.ingest.stalled",
                target=run,
                changes={"status": [before, run.status], "lost_chunks": [None, lost]},
            )
            failed += 1
    return failed


def ingest_run_unqueued(message: str, *, run_id: int) -> None:
    """The broker refused the run at submit time: it is failed at once, retryable, and audited."""
    with transaction.atomic():
        updated = (
            IngestRun.objects.filter(pk=run_id)
            .exclude(status__in=IngestRun.FINISHED)
            .update(status=IngestRun.Status.FAILED, error=message, finished_at=timezone.now())
        )
        if updated:
            run = IngestRun.objects.get(pk=run_id)
            audit_record(
                actor="system",
                action="discovery.ingest.unqueued",
                target=run,
                changes={"status": [IngestRun.Status.QUEUED, run.status]},
            )


WATCHES = [JobWatch("ingest", ingest_last_heartbeat, ingest_runs_fail_stalled)]
