"""Ingest run lifecycle: register a batch of files, plan their chunks, process, finish, fail, retry.

A run is one batch: a file, a folder, a multi-file upload, a watched-folder poll or a .zip. Each
file is registered once by the hash of its content and its format (discovery/services/files.py);
the chunk work itself (engine call, stored results, merge) is in discovery/services/chunks.py
and the batch's write, in parts, in discovery/services/parts.py.
"""

import hashlib
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.jobs import task_submit
from discovery.conf import chunk_target_bytes, host_allowlist, ingest_processes
from discovery.engine.parsers import FORMAT_LABELS
from discovery.engine.parsers.gz import is_gzip
from discovery.engine.pipeline import Chunk, chunk_plan
from discovery.engine.pool import process_chunks
from discovery.jobs import ingest_heartbeat, ingest_run_unqueued
from discovery.models import IngestChunk, IngestFile, IngestPart, IngestRun, LogSource
from discovery.selectors import catalog_app_names, matching_catalog
from discovery.services.chunks import (
    ChunkUnreadable,
    app_sightings_touch,
    chunk_identity,
    chunk_prepare,
    engine_options,
    ingest_chunk_compute,
    ingest_chunk_store,
    ingest_chunks_merge,
    nul_free,
)
from discovery.services.files import (
    ContentDigest,
    file_digest,
    file_hashes_complete,
    file_sha256,
    format_detect,
    format_guess,
    hash_deferrable,
    head_digest,
    heads_lock,
    is_zip_file,
    prefix_match,
    safe_name,
    same_head,
    zip_expand,
)
from discovery.services.parts import (
    chunks_owed,
    ingest_parts_take,
    ingest_parts_write,
    parts_done,
    parts_of,
    write_parts_for,
)
from discovery.services.rules import rules_apply
from discovery.services.usage import usage_batch_write

log = logging.getLogger(__name__)

# Plain words for the skip reasons, for the "needs attention" message.
REASON_WORDS = {
    "malformed": "the lines do not have this format's shape",
    "bad_json": "bad JSON",
    "bad_timestamp": "bad timestamps",
    "bad_number": "bad numbers",
    "missing_host": "no host name in the lines",
    "no_header": "data lines before any header",
    "field_count": "the column count differs from the header",
    "not_utf8": "not UTF-8 text",
    "too_long": "lines too long",
    "digest_file": "a CloudTrail digest file",
    "gzip_error": "a corrupt or truncated gzip stream",
    "gzip_bomb": "the gzip inflates beyond the guard",
    "not_hostname_log": "not a log of host names",
    "not_event": "no client events",
}


def attention_message(
    *, fmt: str, detected: str, parsed: int, skipped: int, skip_counts: dict[str, int]
) -> str:
    """Why a file was not understood, or '' when it was: no record parsed, or more than half of
    the inspected lines (parsed + skipped) skipped. Suggests the detected format if it differs."""
    inspected = parsed + skipped
    if parsed and skipped * 2 <= inspected:
        return ""
    label = FORMAT_LABELS.get(fmt, fmt)
    if not inspected:
        text = f"No record parsed as {label}: the file holds no log lines"
    else:
        text = f"{parsed:,} of {inspected:,} lines parsed as {label}"
        if skip_counts:
            top = max(sorted(skip_counts.items()), key=lambda kv: kv[1])[0]
            text += f": {REASON_WORDS.get(top, top.replace('_', ' '))}"
    if detected and detected != fmt:
        text += f"; did you mean {FORMAT_LABELS.get(detected, detected)}?"
    else:
        text += "."
    return text


@dataclass
class _Entry:
    """A file of a batch before it is recorded: detection, hashes and what it duplicates."""

    path: Path
    name: str
    size: int = 0
    fmt: str = ""
    requested: str = ""
    detected: str = ""
    digest: ContentDigest | None = None
    refused: str = ""
    duplicate_of: IngestFile | None = None
    prefix_of: IngestFile | None = None


@dataclass
class Batch:
    """What registering a batch did: the run (new, or the one that already counted these files),
    whether it was created, and per file the duplicates and refusals (name, run id or message)."""

    run: IngestRun | None
    created: bool
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


class _NothingNew(Exception):
    def __init__(self, run: IngestRun) -> None:
        self.run = run


def _expand(
    items: Iterable[tuple[Path, str]], *, move_into_storage: bool
) -> tuple[list[_Entry], list[Path]]:
    """(files, storage paths made for them): a .zip becomes its members (written under storage)."""
    entries: list[_Entry] = []
    made: list[Path] = []
    for path, name in items:
        path = Path(path)
        if not path.is_file():
            raise ValidationError(f"{path} is not a file.")
        if is_zip_file(path):
            sha = file_sha256(path)
            try:
                members = zip_expand(path, display_name=name, sha=sha)
            except ValidationError as exc:
                entries.append(
                    _Entry(path, name, size=path.stat().st_size, refused=" ".join(exc.messages))
                )
                continue
            made.extend(m for m, _n in members)
            entries.extend(_Entry(m, n, size=m.stat().st_size) for m, n in members)
            if move_into_storage:
                path.unlink(missing_ok=True)
            continue
        entries.append(_Entry(path, name, size=path.stat().st_size))
    return entries, made


def _inspect(entry: _Entry, *, requested: str, logformat: str, defer: bool) -> None:
    """Detection and content hashes of one file (outside any lock); with ``defer``, a large
    plain file gets its head hashed only (files.hash_deferrable)."""
    if entry.refused:
        return
    try:
        entry.fmt = format_detect(path=entry.path, requested=requested, logformat=logformat)
    except ValidationError as exc:
        entry.refused = " ".join(exc.messages)
        return
    entry.requested = requested
    entry.detected = format_guess(path=entry.path, logformat=logformat) if requested else entry.fmt
    entry.size = entry.path.stat().st_size
    if defer and hash_deferrable(entry.path):
        entry.digest = head_digest(entry.path, fmt=entry.fmt)
    else:
        entry.digest = file_digest(entry.path, fmt=entry.fmt)


def _lookup(entry: _Entry) -> None:
    """What this file repeats (duplicate_of) or continues (prefix_of), under heads_lock. Files
    with the same head whose hashes are owed get them first; this file's own owed hashes are
    computed now if any such file exists, and stay owed otherwise, since then only a file
    shorter than the head can match (its prefix hash is taken from the head)."""
    same = same_head(fmt=entry.fmt, head_sha256=entry.digest.head_sha256)
    _hashes_complete(same)
    same = [f for f in same if f.is_counted]
    if entry.digest.pending:
        if not same:
            entry.prefix_of = prefix_match(entry.digest, fmt=entry.fmt)
            return
        entry.digest = file_digest(entry.path, fmt=entry.fmt)
    entry.duplicate_of = _duplicate_lookup(entry)
    if entry.duplicate_of is None:
        entry.prefix_of = prefix_match(entry.digest, fmt=entry.fmt)


def _hashes_complete(files: Iterable[IngestFile], *, refuse: bool = True) -> None:
    """files.file_hashes_complete; the run of a file that could not be hashed fails with why."""
    for f in file_hashes_complete(files, refuse=refuse):
        ingest_run_fail(run_id=f.run_id, message=f"{f.file_name}: {f.message}")


def _run_sha256(shas: list[str]) -> str:
    """A file's sha256, or for a batch the sha256 of its files' sorted hashes; '' while one is
    owed."""
    if not shas or not all(shas):
        return ""
    shas = sorted(shas)
    return shas[0] if len(shas) == 1 else hashlib.sha256("".join(shas).encode()).hexdigest()


def ingest_run_hash(*, run_id: int, refuse: bool = True) -> None:
    """Computes the run's owed file hashes (registered with their head hashed only), then the
    run's own; nothing when none is owed. ``refuse``: see files.file_hashes_complete."""
    files = IngestFile.objects.filter(run_id=run_id, status__in=IngestFile.COUNTED)
    owed = list(files.filter(content_sha256=""))
    if not owed and IngestRun.objects.filter(pk=run_id).exclude(sha256="").exists():
        return
    _hashes_complete(owed, refuse=refuse)
    shas = list(files.values_list("sha256", flat=True))
    IngestRun.objects.filter(pk=run_id, sha256="").update(sha256=_run_sha256(shas))


def _store(entry: _Entry) -> None:
    """Moves an uploaded temporary file into storage, named by its content hash."""
    sha = entry.digest.sha256
    folder = Path(settings.SIGHTLINE_STORAGE_DIR) / "uploads" / sha[:2] / sha
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_name(entry.name)
    shutil.move(str(entry.path), target)
    entry.path = target


def _batch_label(entries: list[_Entry], label: str) -> str:
    if label:
        return label
    if len(entries) == 1:
        return entries[0].name
    return f"{entries[0].name} and {len(entries) - 1} more file(s)"


def _common_path(entries: list[_Entry]) -> str:
    paths = [str(e.path.resolve()) for e in entries]
    if len(paths) == 1:
        return paths[0]
    try:
        return os.path.commonpath(paths)
    except ValueError:
        return ""


def ingest_batch_create(
    *,
    files: Iterable[tuple[Path, str]],
    actor,
    source: LogSource | None = None,
    fmt: str = "",
    label: str = "",
    move_into_storage: bool = False,
) -> Batch:
    """Registers a batch of (path, display name) files as one run.

    A file whose content was already ingested in the same format is a duplicate (recorded, not
    counted); one that grew from a known file counts from the known length on; one that cannot be
    read as a log is refused with its reason. With nothing new to count, no run is created: the
    result names the run that counted the content (a failed one is retried), and a batch of
    refused files only raises ValidationError with their reasons."""
    requested = fmt or (source.format if source else "")
    logformat = getattr(source, "squid_logformat", "") or ""
    entries, made = _expand(files, move_into_storage=move_into_storage)
    if not entries:
        raise ValidationError("No files to ingest.")
    for entry in entries:
        defer = not move_into_storage and entry.path not in made  # uploads are stored by hash
        _inspect(entry, requested=requested, logformat=logformat, defer=defer)
    counted = [e for e in entries if not e.refused]
    refused = [(e.name, e.refused) for e in entries if e.refused]
    for entry in counted:  # kept even if nothing new is found; done again under the lock
        _hashes_complete(same_head(fmt=entry.fmt, head_sha256=entry.digest.head_sha256))
    if not counted:
        for entry in entries:
            if move_into_storage or entry.path in made:
                entry.path.unlink(missing_ok=True)
        raise ValidationError(
            refused[0][1] if len(refused) == 1 else "; ".join(f"{n}: {m}" for n, m in refused)
        )
    try:
        return _batch_record(
            entries,
            actor=actor,
            source=source,
            requested=requested,
            label=label,
            move_into_storage=move_into_storage,
            made=made,
        )
    except _NothingNew as nothing:
        if nothing.run.status == IngestRun.Status.FAILED:
            ingest_run_retry(run=nothing.run, actor=actor)
            nothing.run.refresh_from_db()
        return Batch(
            nothing.run,
            False,
            duplicates=[(e.name, e.duplicate_of.run_id) for e in counted if e.duplicate_of],
            refused=refused,
        )


def _duplicate_lookup(entry: _Entry) -> IngestFile | None:
    return (
        IngestFile.objects.select_related("run")
        .filter(
            content_sha256=entry.digest.content_sha256,
            format=entry.fmt,
            status__in=IngestFile.COUNTED,
        )
        .first()
    )


@transaction.atomic
def _batch_record(
    entries: list[_Entry],
    *,
    actor,
    source,
    requested: str,
    label: str,
    move_into_storage: bool,
    made: list[Path],
) -> Batch:
    if connection.vendor == "postgresql":
        heads_lock((e.fmt, e.digest.head_sha256) for e in entries if not e.refused)
    for entry in entries:
        if not entry.refused:
            _lookup(entry)
    new = [e for e in entries if not e.refused and e.duplicate_of is None]
    if not new:
        first = next(e.duplicate_of for e in entries if e.duplicate_of)
        for entry in entries:
            if move_into_storage or entry.path in made:
                entry.path.unlink(missing_ok=True)
        raise _NothingNew(first.run)
    if move_into_storage:
        for entry in entries:
            if entry.path in made:
                continue
            if any(entry is e for e in new):
                _store(entry)
            else:
                entry.path.unlink(missing_ok=True)
    formats = sorted({e.fmt for e in new})
    size = sum(e.size for e in new)
    run = IngestRun.objects.create(
        source=source,
        format=formats[0] if len(formats) == 1 else "mixed",
        format_requested=requested,
        file_name=_batch_label(entries, label)[:300],
        path=_common_path(new)[:1000],
        sha256=_run_sha256([e.digest.sha256 for e in new]),
        size=size,
        files_total=len(entries),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    kept = 0
    bytes_total = 0
    duplicates: list[tuple[str, int]] = []
    for index, entry in enumerate(entries):
        common = {
            "run": run,
            "index": index,
            "file_name": entry.name[:300],
            "path": str(entry.path.resolve())[:1000],
            "size": entry.size,
        }
        if entry.refused:
            IngestFile.objects.create(
                **common, sha256="", status=IngestFile.Status.REFUSED, message=entry.refused
            )
            continue
        d = entry.digest
        facts = {
            "sha256": d.sha256,
            "content_sha256": d.content_sha256,
            "head_sha256": d.head_sha256,
            "content_length": d.content_length,
            "format": entry.fmt,
            "format_requested": entry.requested,
            "format_detected": entry.detected,
        }
        if entry.duplicate_of is None:
            offset = entry.prefix_of.content_length if entry.prefix_of else 0
            try:
                with transaction.atomic():
                    IngestFile.objects.create(
                        **common, **facts, offset=offset, prefix_of=entry.prefix_of
                    )
                kept += 1
                whole = offset == 0 or is_gzip(entry.path)  # a gzip is read whole, then skipped
                bytes_total += entry.size if whole else max(0, entry.size - offset)
                continue
            except IntegrityError:
                # the same content was registered a moment ago (two uploads at once)
                entry.duplicate_of = _duplicate_lookup(entry)
        IngestFile.objects.create(
            **common,
            **facts,
            status=IngestFile.Status.DUPLICATE,
            duplicate_of=entry.duplicate_of,
            message=f"Already ingested in run #{entry.duplicate_of.run_id}"
            if entry.duplicate_of
            else "Already ingested",
        )
        if entry.duplicate_of:
            duplicates.append((entry.name, entry.duplicate_of.run_id))
    if not kept:
        first = next((e.duplicate_of for e in entries if e.duplicate_of), None)
        transaction.set_rollback(True)
        if first is None:
            raise ValidationError("The files were registered by another upload at the same time.")
        raise _NothingNew(first.run)
    run.bytes_total = bytes_total
    run.save(update_fields=["bytes_total"])
    audit_record(
        actor=actor,
        action="discovery.ingest.create",
        target=run,
        changes={
            "sha256": [None, run.sha256],
            "format": [None, run.format],
            "size": [None, size],
            "files": [None, [e.name for e in entries][:100]],
        },
    )
    return Batch(
        run,
        True,
        duplicates=duplicates,
        refused=[(e.name, e.refused) for e in entries if e.refused],
    )


def ingest_run_create(
    *,
    path: Path,
    actor,
    file_name: str = "",
    source: LogSource | None = None,
    fmt: str = "",
    move_into_storage: bool = False,
) -> tuple[IngestRun, bool]:
    """One file as a batch; known content returns the run that counted it (retried if it failed)."""
    path = Path(path)
    batch = ingest_batch_create(
        files=[(path, file_name or path.name)],
        actor=actor,
        source=source,
        fmt=fmt,
        move_into_storage=move_into_storage,
    )
    return batch.run, batch.created


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
        status=IngestChunk.Status.PENDING, error="", started_at=None
    )
    run.parts.filter(status=IngestPart.Status.QUEUED).update(status=IngestPart.Status.PENDING)
    audit_record(actor=actor, action="discovery.ingest.retry", target=run)
    transaction.on_commit(lambda: ingest_run_dispatch(run_id=run.pk))
    return run


def ingest_run_dispatch(*, run_id: int) -> None:
    """Queues the run on the worker; a broker that is down fails the run (retryable) and raises
    core.jobs.QueueUnavailable.

    The one import made at call time in discovery: discovery.tasks imports these services, and a
    Celery task is only registered once its module is imported, so it cannot be sent by name.
    """
    from discovery.tasks import ingest_run_process_task

    ingest_heartbeat(run_id=run_id)
    task_submit(
        ingest_run_process_task,
        kwargs={"run_id": run_id},
        on_fail=partial(ingest_run_unqueued, run_id=run_id),
        url=reverse("discovery:run-detail", kwargs={"pk": run_id}),
    )


def ingest_run_fail(*, run_id: int, message: str) -> None:
    """A late failure (e.g. a redelivered chunk task) never turns a finished run into a failed one."""
    IngestRun.objects.filter(pk=run_id).exclude(status__in=IngestRun.FINISHED).update(
        status=IngestRun.Status.FAILED,
        error=message[:2000].replace("\x00", "\ufffd"),
        finished_at=timezone.now(),
    )


def _counted_files(run: IngestRun) -> list[IngestFile]:
    return list(run.files.filter(status__in=IngestFile.COUNTED).order_by("index"))


def ingest_run_plan(*, run_id: int) -> list[int]:
    """Splits the batch's files into chunks (once) and returns the indexes still to process."""
    run = IngestRun.objects.get(pk=run_id)
    if run.status in IngestRun.FINISHED:
        return []
    plan: list[tuple[IngestFile, object]] = []
    files = _counted_files(run)
    if not files:  # e.g. its one file changed before its hash was finished
        refused = run.files.filter(status=IngestFile.Status.REFUSED).order_by("index")
        why = "; ".join(f"{f.file_name}: {f.message}" for f in refused[:5])
        ingest_run_fail(run_id=run_id, message=f"No file of this run can be counted. {why}")
        return []
    for f in files:
        path = Path(f.path)
        if not path.is_file():
            ingest_run_fail(
                run_id=run_id, message=f"The file {f.file_name} is no longer at {f.path}."
            )
            return []
        try:
            chunks = chunk_plan(path, target_bytes=chunk_target_bytes(), offset=f.offset)
        except (OSError, ValueError) as exc:
            ingest_run_fail(run_id=run_id, message=f"Could not read {f.file_name}: {exc}")
            return []
        plan.extend((f, c) for c in chunks)
    if not plan:  # an empty file has no chunks, so no chunk would ever finalise the run
        ingest_run_fail(
            run_id=run_id, message=f"{run.file_name} is empty: there is nothing to ingest."
        )
        return []
    with transaction.atomic():
        run = IngestRun.objects.select_for_update().get(pk=run_id)
        known = set(run.chunks.values_list("index", flat=True))
        if not known:  # the chunks pack their rollups for this many parts: fixed once planned
            run.write_parts = write_parts_for(len(plan))
        IngestChunk.objects.bulk_create(
            [
                IngestChunk(run=run, file=f, index=i, start=c.start, end=c.end, skip=c.skip)
                for i, (f, c) in enumerate(plan)
                if i not in known
            ]
        )
        IngestPart.objects.bulk_create(parts_of(run), ignore_conflicts=True)
        run.status = IngestRun.Status.RUNNING
        run.chunks_total = len(plan)
        run.started_at = run.started_at or timezone.now()
        run.attempts += 1
        run.save(update_fields=["status", "chunks_total", "write_parts", "started_at", "attempts"])
    return list(
        run.chunks.exclude(status=IngestChunk.Status.DONE)
        .order_by("index")
        .values_list("index", flat=True)
    )


def ingest_chunk_process(*, run_id: int, index: int) -> bool:
    """Processes one chunk here; the chunk that completes the run writes and finalises it."""
    ingest_chunk_run(run_id=run_id, index=index)
    return ingest_run_finish(run_id=run_id)


def ingest_run_finish(*, run_id: int, threads: int = 1) -> bool:
    """Once every chunk is done: writes the parts nobody has taken (on ``threads`` threads) and
    finalises the run; False while chunks or parts are still owed elsewhere."""
    indexes = ingest_parts_take(run_id=run_id)
    if indexes:
        ingest_parts_write(run_id=run_id, indexes=indexes, threads=threads)
    return ingest_run_finalise(run_id=run_id)


def ingest_chunk_run(*, run_id: int, index: int) -> bool:
    """Parses and stores one chunk; False if it was done already or it failed (then so did the
    run, with the reason)."""
    run = IngestRun.objects.select_related("source").get(pk=run_id)
    chunk = IngestChunk.objects.select_related("file").get(run=run, index=index)
    if chunk.status == IngestChunk.Status.DONE:
        return False
    people, teams, key = chunk_identity(run=run, path=chunk.file.path if chunk.file else None)
    try:
        result = ingest_chunk_compute(run=run, chunk=chunk, people=people, key=key)
    except Exception as exc:  # noqa: BLE001 - any parser failure must end as a visible run error
        _chunk_fail(run, chunk, exc)
        return False
    return ingest_chunk_store(
        run=run, chunk=chunk, result=result, people=people, key=key, teams=teams
    )


def _chunk_fail(run: IngestRun, chunk: IngestChunk, exc: Exception | str) -> None:
    """The chunk failed (retryable) and so did the run, with the reason in plain words."""
    name = chunk.file.file_name if chunk.file else run.file_name
    if isinstance(exc, ChunkUnreadable):
        message = f"Could not read {name}: {exc}"
    elif isinstance(exc, Exception):
        message = nul_free(f"Chunk {chunk.index} failed: {type(exc).__name__}: {exc}")
    else:
        message = nul_free(f"Chunk {chunk.index} failed: {exc}")
    IngestChunk.objects.filter(pk=chunk.pk).update(
        status=IngestChunk.Status.FAILED, error=message[:2000]
    )
    ingest_run_fail(run_id=run.pk, message=message)


def _file_add(out: dict[int | None, dict], file_id: int | None, r: dict) -> None:
    """Adds one chunk's lines read, parsed, matched, header, skips and duplicates to its file's."""
    t = out.setdefault(
        file_id,
        {"read": 0, "parsed": 0, "matched": 0, "header": 0, "dup": 0, "skipped": {}},
    )
    t["read"] += int(r.get("lines_read", 0))
    t["parsed"] += int(r.get("parsed", 0))
    t["matched"] += int(r.get("matched", 0))
    t["header"] += int(r.get("header_lines", 0))
    t["dup"] += int(r.get("events_duplicate", 0))
    for reason, n in r.get("skipped", {}).items():
        t["skipped"][reason] = t["skipped"].get(reason, 0) + n


def _chunk_results(run: IngestRun, totals: dict[int | None, dict]) -> Iterator[dict]:
    """Each chunk's stored results, one at a time (memory stays flat), adding up the per-file
    totals on the way."""
    rows = (
        run.chunks.order_by("index")
        .annotate(text=Cast("results", TextField()))  # decoded with orjson: faster
        .values_list("file_id", "text")
    )
    for file_id, text in rows.iterator(chunk_size=8):
        results = orjson.loads(text)
        _file_add(totals, file_id, results)
        yield results


def _files_finish(run: IngestRun, totals: dict[int | None, dict]) -> list[str]:
    """Writes each file's counts and state; returns the 'name: reason' lines that need attention."""
    notes: list[str] = []
    for f in run.files.order_by("index"):
        if f.status == IngestFile.Status.REFUSED:
            notes.append(f"{f.file_name}: {f.message}")
            continue
        if not f.is_counted or f.pk not in totals:
            continue
        t = totals[f.pk]
        skipped = sum(t["skipped"].values())
        message = attention_message(
            fmt=f.format,
            detected=f.format_detected,
            parsed=t["parsed"],
            skipped=skipped,
            skip_counts=t["skipped"],
        )
        IngestFile.objects.filter(pk=f.pk).update(
            lines_read=t["read"],
            lines_parsed=t["parsed"],
            lines_matched=t["matched"],
            lines_header=t["header"],
            lines_skipped=skipped,
            skip_counts=t["skipped"],
            events_duplicate=t["dup"],
            status=IngestFile.Status.NEEDS_ATTENTION if message else IngestFile.Status.DONE,
            message=message,
        )
        if message:
            notes.append(f"{f.file_name}: {message}")
    return notes


def ingest_run_finalise(*, run_id: int) -> bool:
    """Runs once, when the last chunk and the last write part are done: merges the chunks'
    summaries in memory, records the apps' sightings, settles each file, applies the rules once
    for the whole batch, and marks the run done (or needing attention)."""
    if chunks_owed(run_id):
        return False
    with transaction.atomic():
        run = IngestRun.objects.select_for_update().get(pk=run_id)
        if run.finalised or run.status == IngestRun.Status.FAILED:
            return False
        if run.chunks.exclude(status=IngestChunk.Status.DONE).exists() or not run.chunks.exists():
            return False
        if not parts_done(run):
            return False
        # Owed only if the worker hashing them was lost. The rows are written by now, so a file
        # that changed fails the run rather than being called uncounted.
        ingest_run_hash(run_id=run_id, refuse=False)
        run.refresh_from_db(fields=["sha256"])
        totals: dict[int | None, dict] = {}
        merged = ingest_chunks_merge(_chunk_results(run, totals))
        _people, teams, _key = chunk_identity(run=run)
        app_sightings_touch(run=run, subjects=merged["subjects"], names=catalog_app_names())
        usage_batch_write(run=run, merged=merged, teams=teams)
        notes = _files_finish(run, totals)
        findings = rules_apply(run=run, merged=merged)
        run.lines_read = merged["lines_read"]
        run.lines_parsed = merged["parsed"]
        run.lines_matched = merged["matched"]
        run.lines_skipped = sum(merged["skipped"].values())
        run.lines_header = merged["header_lines"]
        run.events_duplicate = merged.get("events_duplicate", 0)
        run.skip_counts = merged["skipped"]
        run.skip_samples = merged["skip_samples"]
        run.bytes_done = run.bytes_total
        llmjacking = run.parts.get(index=run.write_parts).rows
        run.findings_count = len(findings) + llmjacking
        run.attention = "\n".join(notes)[:10000]
        run.status = IngestRun.Status.NEEDS_ATTENTION if notes else IngestRun.Status.DONE
        run.finalised = True
        run.finished_at = timezone.now()
        run.save()
    return True


def _chunks_execute(
    run_id: int, indexes: list[int], processes: int, progress: Callable | None
) -> None:
    """Parses the chunks on a pool of engine processes; this process stores each result as it
    comes back (event-ID check, packed rollups, 'done' mark), in chunk order."""
    run = IngestRun.objects.select_related("source").get(pk=run_id)
    chunks = {c.index: c for c in run.chunks.select_related("file").filter(index__in=indexes)}
    people, teams, key = chunk_identity(run=run)
    work = []
    for index in indexes:
        c = chunks[index]
        f = c.file
        work.append(
            (
                Chunk(f.path if f else run.path, c.start, c.end, c.index, skip=c.skip),
                f.format if f else run.format,
            )
        )
    outcomes = process_chunks(
        work,
        processes=processes,
        catalog=matching_catalog(),
        identity_map=people or None,
        pseudonymise_key=key,
        allowlist=host_allowlist(),
        options=engine_options(run.source),
        prepare=partial(chunk_prepare, teams=teams, parts=run.write_parts),
    )
    for index, result, error, prepared in outcomes:
        chunk = chunks[index]
        if error or (result.error and not result.parsed):
            _chunk_fail(run, chunk, error or ChunkUnreadable(result.error))
        else:
            ingest_chunk_store(
                run=run,
                chunk=chunk,
                result=result,
                people=people,
                key=key,
                prepared=prepared,
                teams=teams,
            )
        current = IngestRun.objects.get(pk=run_id)
        if progress:
            progress(current)
        if current.status == IngestRun.Status.FAILED:
            break


def _hash_or_fail(run_id: int) -> None:
    try:
        ingest_run_hash(run_id=run_id)
    except Exception as exc:  # noqa: BLE001 - e.g. the file went away: shown on the run
        log.exception("hashing the files of run %s failed", run_id)
        ingest_run_fail(run_id=run_id, message=f"Hashing failed: {type(exc).__name__}: {exc}")


@contextmanager
def _hashing_beside(run_id: int) -> Iterator[None]:
    """The run's owed file hashes, on a thread with its own connection while the block runs (the
    chunks are parsed in other processes, and hashing releases the GIL); where threads could
    not see the run's rows (SQLite, an open transaction) they are computed after the block."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        _hash_or_fail(run_id)
        return

    def work() -> None:
        try:
            _hash_or_fail(run_id)
        finally:
            connection.close()

    thread = threading.Thread(target=work, name=f"hash-run-{run_id}")
    thread.start()
    try:
        yield
    finally:
        thread.join()


def ingest_run_execute(
    *,
    run_id: int,
    progress: Callable[[IngestRun], None] | None = None,
    processes: int | None = None,
) -> IngestRun:
    """Processes a whole run here (CLI --sync, demo data, tests): its chunks are parsed on
    ``processes`` engine processes (default SIGHTLINE_INGEST_PROCESSES, else one per core)."""
    processes = processes or ingest_processes()
    indexes = ingest_run_plan(run_id=run_id)
    with _hashing_beside(run_id):
        if indexes:
            _chunks_execute(run_id, indexes, processes, progress)
    run = IngestRun.objects.get(pk=run_id)
    if run.status == IngestRun.Status.RUNNING and not run.finalised:
        try:
            ingest_run_finish(run_id=run_id, threads=processes)
        except Exception as exc:  # noqa: BLE001 - shown on the run, with a retry, as on a worker
            log.exception("writing run %s failed", run_id)
            ingest_run_fail(run_id=run_id, message=f"Writing failed: {type(exc).__name__}: {exc}")
        run.refresh_from_db()
    return run
