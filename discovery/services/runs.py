"""Ingest run lifecycle: register a file once by sha256, plan its chunks, process, finish, fail, retry.

The chunk work itself (engine call, rollup writes, merge) is in discovery/services/chunks.py.
"""

import gzip
import hashlib
import re
import shutil
import zlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_record
from discovery.conf import chunk_target_bytes
from discovery.engine.parsers import FORMATS, detect
from discovery.engine.parsers.archive import ZIP_MAGIC, zip_head
from discovery.engine.pipeline import chunk_plan
from discovery.models import IngestChunk, IngestRun, LogSource
from discovery.services.chunks import (
    ChunkUnreadable,
    chunk_identity,
    ingest_chunk_compute,
    ingest_chunk_store,
    ingest_chunks_merge,
    nul_free,
)
from discovery.services.rules import rules_apply

HEAD_BYTES = 64 * 1024


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def file_head(path: Path) -> bytes:
    """The first bytes as text would be read: gzip is unpacked so detection sees the log lines."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head[:4] == ZIP_MAGIC:  # a .zip of logs: detection sees its first log member
        member = zip_head(path, HEAD_BYTES)
        if not member:
            raise ValidationError("The file looks like a .zip archive but holds no readable log.")
        return member
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as gz:
                return gz.read(HEAD_BYTES)
        except EOFError:
            # A truncated gzip still yields what was decompressed so far.
            decomp = zlib.decompressobj(zlib.MAX_WBITS | 16)
            return decomp.decompress(head)
        except (OSError, zlib.error) as exc:
            raise ValidationError(
                f"The file looks like gzip but cannot be unpacked: {exc}."
            ) from exc
    return head


_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 13, 27))


def looks_binary(head: bytes) -> bool:
    """More than 10% control bytes in the first 4 KB: an image or archive, not a log with a bad line."""
    sample = head[:4096]
    if not sample:
        return False
    return len(sample) - len(sample.translate(None, _CONTROL)) > len(sample) // 10


def format_detect(*, path: Path, requested: str = "", logformat: str = "") -> str:
    """Detect (or check) the format up front so a wrong file gets a clear message, not a failed run.

    A log that is recognised but holds no destination hosts (Zeek conn.log, a Squid useragent
    log, PAN-OS traffic) is refused by name; ``logformat`` is the source's Squid logformat line."""
    if requested:
        if requested not in FORMATS:
            raise ValidationError(
                f"Unknown format {requested!r}. Known: {', '.join(sorted(FORMATS))}."
            )
        return requested
    head = file_head(path)
    if not head.strip():
        raise ValidationError("The file is empty.")
    if looks_binary(head):
        raise ValidationError(
            "This is a binary file, not a text log. Upload a proxy, DNS or CloudTrail log."
        )
    found = detect(head, logformat=logformat)
    if found.format:
        return found.format
    if found.message and not found.message.startswith("Could not recognise"):
        raise ValidationError(found.message)
    raise ValidationError(
        "Could not recognise the log format from the first lines. "
        f"Choose the format explicitly (one of: {', '.join(sorted(FORMATS))})."
    )


def _safe_name(name: str) -> str:
    name = Path(name).name or "upload.log"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:200]


@transaction.atomic
def ingest_run_create(
    *,
    path: Path,
    actor,
    file_name: str = "",
    source: LogSource | None = None,
    fmt: str = "",
    move_into_storage: bool = False,
) -> tuple[IngestRun, bool]:
    """Registers a file; a known sha256 returns the existing run (and retries it if it had failed)."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"{path} is not a file.")
    file_name = file_name or path.name
    requested = fmt or (source.format if source else "")
    sha = file_sha256(path)
    existing = IngestRun.objects.select_for_update().filter(sha256=sha).first()
    if existing:
        if move_into_storage:
            path.unlink(missing_ok=True)
        if existing.status == IngestRun.Status.FAILED:
            if requested and requested != existing.format:
                existing.format = format_detect(path=Path(existing.path), requested=requested)
                existing.format_requested = requested
                existing.save(update_fields=["format", "format_requested"])
            ingest_run_retry(run=existing, actor=actor)
        return existing, False
    detected = format_detect(
        path=path, requested=requested, logformat=getattr(source, "squid_logformat", "") or ""
    )
    if move_into_storage:
        folder = Path(settings.SIGHTLINE_STORAGE_DIR) / "uploads" / sha[:2] / sha
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / _safe_name(file_name)
        shutil.move(str(path), target)
        path = target
    size = path.stat().st_size
    try:
        with transaction.atomic():
            run = IngestRun.objects.create(
                source=source,
                format=detected,
                format_requested=requested,
                file_name=file_name[:300],
                path=str(path.resolve()),
                sha256=sha,
                size=size,
                bytes_total=size,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        # The same bytes were registered a moment ago (two uploads at once): that run is this one.
        return IngestRun.objects.get(sha256=sha), False
    audit_record(
        actor=actor,
        action="discovery.ingest.create",
        target=run,
        changes={"sha256": [None, sha], "format": [None, detected], "size": [None, size]},
    )
    return run, True


@transaction.atomic
def ingest_run_retry(*, run: IngestRun, actor) -> IngestRun:
    """Only unfinished chunks are redone; finished ones keep their merged counts."""
    run = IngestRun.objects.select_for_update().get(pk=run.pk)
    if run.status != IngestRun.Status.FAILED:
        raise ValidationError("Only a failed run can be retried.")
    run.status = IngestRun.Status.QUEUED
    run.error = ""
    run.finalised = False
    run.save(update_fields=["status", "error", "finalised"])
    run.chunks.filter(status=IngestChunk.Status.FAILED).update(
        status=IngestChunk.Status.PENDING, error=""
    )
    audit_record(actor=actor, action="discovery.ingest.retry", target=run)
    transaction.on_commit(lambda: ingest_run_dispatch(run_id=run.pk))
    return run


def ingest_run_dispatch(*, run_id: int) -> None:
    """Queues the run on the worker.

    The one import made at call time in discovery: discovery.tasks imports these services, and a
    Celery task is only registered once its module is imported, so it cannot be sent by name.
    """
    from discovery.tasks import ingest_run_process_task

    ingest_run_process_task.delay(run_id=run_id)


def ingest_run_fail(*, run_id: int, message: str) -> None:
    """A late failure (e.g. a redelivered chunk task) never turns a finalised run into a failed one."""
    IngestRun.objects.filter(pk=run_id).exclude(status=IngestRun.Status.DONE).update(
        status=IngestRun.Status.FAILED,
        error=message[:2000].replace("\x00", "\ufffd"),
        finished_at=timezone.now(),
    )


def ingest_run_plan(*, run_id: int) -> list[int]:
    """Splits the file into chunks (once) and returns the indexes still to process."""
    run = IngestRun.objects.get(pk=run_id)
    if run.status == IngestRun.Status.DONE:
        return []
    path = Path(run.path)
    if not path.is_file():
        ingest_run_fail(
            run_id=run_id, message=f"The file {run.file_name} is no longer at {run.path}."
        )
        return []
    try:
        plan = chunk_plan(path, target_bytes=chunk_target_bytes())
    except (OSError, ValueError) as exc:
        ingest_run_fail(run_id=run_id, message=f"Could not read {run.file_name}: {exc}")
        return []
    if not plan:  # an empty file has no chunks, so no chunk would ever finalise the run
        ingest_run_fail(
            run_id=run_id, message=f"{run.file_name} is empty: there is nothing to ingest."
        )
        return []
    with transaction.atomic():
        run = IngestRun.objects.select_for_update().get(pk=run_id)
        known = set(run.chunks.values_list("index", flat=True))
        IngestChunk.objects.bulk_create(
            [
                IngestChunk(run=run, index=c.index, start=c.start, end=c.end)
                for c in plan
                if c.index not in known
            ]
        )
        run.status = IngestRun.Status.RUNNING
        run.chunks_total = len(plan)
        run.started_at = run.started_at or timezone.now()
        run.attempts += 1
        run.save(update_fields=["status", "chunks_total", "started_at", "attempts"])
    return list(
        run.chunks.exclude(status=IngestChunk.Status.DONE)
        .order_by("index")
        .values_list("index", flat=True)
    )


def ingest_chunk_process(*, run_id: int, index: int) -> bool:
    """Processes one chunk; the chunk that completes the run finalises it."""
    run = IngestRun.objects.select_related("source").get(pk=run_id)
    chunk = IngestChunk.objects.get(run=run, index=index)
    if chunk.status == IngestChunk.Status.DONE:
        return ingest_run_finalise(run_id=run_id)
    people, teams, key = chunk_identity(run=run)
    try:
        result = ingest_chunk_compute(run=run, chunk=chunk, people=people, key=key)
    except Exception as exc:  # noqa: BLE001 - any parser failure must end as a visible run error
        message = nul_free(f"Chunk {index} failed: {type(exc).__name__}: {exc}")
        if isinstance(exc, ChunkUnreadable):
            message = f"Could not read {run.file_name}: {exc}"
        IngestChunk.objects.filter(pk=chunk.pk).update(
            status=IngestChunk.Status.FAILED, error=message[:2000]
        )
        ingest_run_fail(run_id=run_id, message=message)
        return False
    if not ingest_chunk_store(run=run, chunk=chunk, result=result, teams=teams):
        return False
    return ingest_run_finalise(run_id=run_id)


def ingest_run_finalise(*, run_id: int) -> bool:
    """Runs once, when the last chunk is done: merges totals, applies the rules, marks the run done."""
    with transaction.atomic():
        run = IngestRun.objects.select_for_update().get(pk=run_id)
        if run.finalised or run.status == IngestRun.Status.FAILED:
            return False
        chunks = list(run.chunks.order_by("index"))
        if not chunks or any(c.status != IngestChunk.Status.DONE for c in chunks):
            return False
        merged = ingest_chunks_merge(chunks)
        events = [e for c in chunks for e in c.cloud_events]
        findings = rules_apply(run=run, merged=merged, cloud_events=events)
        run.lines_read = merged["lines_read"]
        run.lines_parsed = merged["parsed"]
        run.lines_matched = merged["matched"]
        run.lines_skipped = sum(merged["skipped"].values())
        run.lines_header = merged["header_lines"]
        run.skip_counts = merged["skipped"]
        run.skip_samples = merged["skip_samples"]
        run.bytes_done = run.bytes_total
        run.findings_count = len(findings)
        run.status = IngestRun.Status.DONE
        run.finalised = True
        run.finished_at = timezone.now()
        run.save()
    return True


def ingest_run_execute(
    *, run_id: int, progress: Callable[[IngestRun], None] | None = None
) -> IngestRun:
    """Processes a whole run in this process (CLI --sync, demo data, tests)."""
    for index in ingest_run_plan(run_id=run_id):
        ingest_chunk_process(run_id=run_id, index=index)
        run = IngestRun.objects.get(pk=run_id)
        if progress:
            progress(run)
        if run.status == IngestRun.Status.FAILED:
            break
    run = IngestRun.objects.get(pk=run_id)
    if run.status == IngestRun.Status.RUNNING and not run.finalised:
        ingest_run_finalise(run_id=run_id)
        run.refresh_from_db()
    return run
