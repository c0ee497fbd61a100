"""Celery tasks: take ids, call one service, safe to re-run (a done chunk is never merged twice)."""

import logging
import os
from pathlib import Path

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, close_old_connections
from django.utils import timezone

from discovery.conf import watch_path_problem, watch_roots
from discovery.jobs import ingest_chunk_claim, ingest_heartbeat
from discovery.models import IngestChunk, IngestFile, LogSource
from discovery.services import (
    ingest_batch_create,
    ingest_chunk_run,
    ingest_part_write,
    ingest_parts_take,
    ingest_run_fail,
    ingest_run_finalise,
    ingest_run_hash,
    ingest_run_plan,
)

log = logging.getLogger(__name__)

SKIP_PARTS = ("CloudTrail-Digest",)
STABLE_SECONDS = 10
DB_DOWN_RETRIES = 5  # 5, 10, 20, 40, 80 s: a restarting database gets ~2.5 min to come back


def _record_failure(task, *, run_id: int, message: str, index: int | None = None) -> None:
    """The error may have been the database dropping this connection; writing on it would raise again."""
    # Django closes an unusable connection here and reconnects on the next query (a restart,
    # failover or pg_terminate_backend). If the database is still down, re-run the task later.
    close_old_connections()
    try:
        if index is not None:
            IngestChunk.objects.filter(run_id=run_id, index=index).exclude(
                status=IngestChunk.Status.DONE
            ).update(
                status=IngestChunk.Status.FAILED, error=message[:2000].replace("\x00", "\ufffd")
            )
        ingest_run_fail(run_id=run_id, message=message)
    except (OperationalError, InterfaceError) as exc:
        close_old_connections()
        log.warning("database unreachable while recording the failure of run %s; retrying", run_id)
        raise task.retry(
            exc=exc, countdown=5 * 2**task.request.retries, max_retries=DB_DOWN_RETRIES
        ) from exc


def _send(task, subtask, queue: str | None, **kwargs) -> None:
    """Chunk and part tasks follow the run into the queue it came from, so a dedicated ingest
    queue stays one."""
    if queue and not task.request.is_eager:
        subtask.apply_async(kwargs=kwargs, queue=queue)
    else:
        subtask.delay(**kwargs)


def _queue_of(task) -> str | None:
    return (getattr(task.request, "delivery_info", None) or {}).get("routing_key")


@shared_task(bind=True, name="discovery.ingest_run_process")
def ingest_run_process(self, *, run_id: int) -> int:
    """Fans out one task per unfinished chunk; the chunk that completes the run fans out the
    write parts, and the part that completes them finalises the run."""
    try:
        ingest_heartbeat(run_id=run_id)  # inside: a dropped connection fails the run visibly
        indexes = ingest_run_plan(run_id=run_id)
    except Exception as exc:  # noqa: BLE001 - e.g. the database dropped us: show it on the run
        log.exception("planning run %s failed", run_id)
        _record_failure(
            self, run_id=run_id, message=f"Planning failed: {type(exc).__name__}: {exc}"
        )
        return 0
    if not indexes:
        _advance(self, run_id)
        return 0
    queue = _queue_of(self)
    for index in indexes:
        _send(self, ingest_chunk_process_task, queue, run_id=run_id, index=index)
    _hash(self, run_id)
    return len(indexes)


def _hash(task, run_id: int) -> None:
    """The run's owed file hashes, computed here while other workers take its chunks."""
    try:
        ingest_run_hash(run_id=run_id)
    except Exception as exc:  # noqa: BLE001 - e.g. the file went away: show it on the run
        log.exception("hashing the files of run %s failed", run_id)
        _record_failure(task, run_id=run_id, message=f"Hashing failed: {type(exc).__name__}: {exc}")


def _advance(task, run_id: int) -> None:
    """After a chunk: once every chunk is done, the write parts go to the queue (once each);
    with none left to queue, the run is finalised if everything is written."""
    try:
        parts = ingest_parts_take(run_id=run_id)
    except Exception as exc:  # noqa: BLE001 - e.g. the database dropped us: show it on the run
        log.exception("queueing the write of run %s failed", run_id)
        _record_failure(task, run_id=run_id, message=f"Writing failed: {type(exc).__name__}: {exc}")
        return
    if not parts:
        _finalise_safely(task, run_id)
        return
    queue = _queue_of(task)
    for index in parts:
        _send(task, ingest_part_write_task, queue, run_id=run_id, index=index)


def _finalise_safely(task, run_id: int) -> None:
    try:
        ingest_run_finalise(run_id=run_id)
    except Exception as exc:  # noqa: BLE001 - a rules failure must show on the run, not vanish
        log.exception("finalising run %s failed", run_id)
        _record_failure(
            task, run_id=run_id, message=f"Finalising failed: {type(exc).__name__}: {exc}"
        )


@shared_task(bind=True, name="discovery.ingest_chunk_process")
def ingest_chunk_process_task(self, *, run_id: int, index: int) -> bool:
    try:
        ingest_chunk_claim(run_id=run_id, index=index)
        stored = ingest_chunk_run(run_id=run_id, index=index)
    except Exception as exc:  # noqa: BLE001 - any failure must end the run visibly, with a retry
        log.exception("run %s chunk %s failed", run_id, index)
        message = f"Chunk {index} failed: {type(exc).__name__}: {exc}"
        _record_failure(self, run_id=run_id, index=index, message=message)
        return False
    _advance(self, run_id)
    return stored


@shared_task(bind=True, name="discovery.ingest_part_write")
def ingest_part_write_task(self, *, run_id: int, index: int) -> bool:
    """Writes one part of the batch (its rollups, or its LLMjacking findings); the part that
    completes them finalises the run."""
    try:
        written = ingest_part_write(run_id=run_id, index=index)
    except Exception as exc:  # noqa: BLE001 - any failure must end the run visibly, with a retry
        log.exception("run %s write part %s failed", run_id, index)
        message = f"Writing part {index} failed: {type(exc).__name__}: {exc}"
        _record_failure(self, run_id=run_id, message=message)
        return False
    _finalise_safely(self, run_id)
    return written


ingest_run_process_task = ingest_run_process


def _candidate_files(root: Path):
    for dirpath, _dirs, files in os.walk(root):
        if any(part in dirpath for part in SKIP_PARTS):
            continue
        for name in sorted(files):
            if name.startswith("."):
                continue
            yield Path(dirpath) / name


@shared_task(name="discovery.watched_folders_poll")
def watched_folders_poll() -> int:
    """Beat task: the new files of a source's watched folder become ONE run (a batch) per poll.

    A file seen before at the same path and size is skipped without reading it; content already
    ingested adds nothing, and a log that grew since the last poll counts only its new lines."""
    queued = 0
    now = timezone.now().timestamp()
    roots = watch_roots()
    for source in LogSource.objects.filter(active=True).exclude(watch_path=""):
        if problem := watch_path_problem(source.watch_path, roots):
            log.warning("not polling %s: %s", source, problem)
            continue
        root = Path(source.watch_path)
        if not root.is_dir():
            log.warning("watched folder %s of %s is missing", root, source)
            continue
        batch: list[tuple[Path, str]] = []
        for path in _candidate_files(root):
            if problem := watch_path_problem(path, roots):
                log.warning("skipping %s: %s", path, problem)  # a symlink leading out of the roots
                continue
            try:
                stat = path.stat()
            except OSError:
                continue
            if now - stat.st_mtime < STABLE_SECONDS:
                continue  # still being written
            if IngestFile.objects.filter(path=str(path.resolve()), size=stat.st_size).exists():
                continue
            batch.append((path, str(path.relative_to(root))))
        if batch:
            try:
                result = ingest_batch_create(
                    files=batch,
                    actor=f"watch:{source.name}",
                    source=source,
                    label=f"{source.name}: {len(batch)} file(s)" if len(batch) > 1 else "",
                )
            except ValidationError as exc:
                log.warning("skipping %s: %s", root, "; ".join(exc.messages))
            else:
                if result.created:
                    queued += 1
                    ingest_run_process.delay(run_id=result.run.pk)
        LogSource.objects.filter(pk=source.pk).update(last_polled_at=timezone.now())
    return queued
