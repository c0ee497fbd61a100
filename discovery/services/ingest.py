"""Ingest runs: register a file once by sha256, split it, process chunks idempotently, finalise."""

import dataclasses
import datetime as dt
import gzip
import hashlib
import hmac
import re
import shutil
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.audit import audit_record
from discovery.models import DiscoveredApp, IdentityMapping, IngestChunk, IngestRun, LogSource
from discovery.selectors import catalog_app_names, matching_catalog
from discovery.services.rollups import RollupRow, rollup_upsert

HEAD_BYTES = 64 * 1024
MAX_SAMPLES = 20
MAX_CLOUD_EVENTS_PER_CHUNK = 200_000


def chunk_target_bytes() -> int:
    return int(getattr(settings, "SIGHTLINE_INGEST_CHUNK_BYTES", 32 * 1024 * 1024))


def formats() -> list[str]:
    from discovery.engine.parsers import FORMATS

    return sorted(FORMATS)


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


def format_detect(*, path: Path, requested: str = "") -> str:
    """Detect (or check) the format up front so a wrong file gets a clear message, not a failed run."""
    from discovery.engine.parsers import FORMATS, detect_format

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
    fmt = detect_format(head)
    if not fmt:
        raise ValidationError(
            "Could not recognise the log format from the first lines. "
            f"Choose the format explicitly (one of: {', '.join(sorted(FORMATS))})."
        )
    return fmt


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
    detected = format_detect(path=path, requested=requested)
    if move_into_storage:
        folder = Path(settings.SIGHTLINE_STORAGE_DIR) / "uploads" / sha[:2] / sha
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / _safe_name(file_name)
        shutil.move(str(path), target)
        path = target
    size = path.stat().st_size
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
    from discovery.tasks import ingest_run_process_task

    ingest_run_process_task.delay(run_id=run_id)


def _fail(run_id: int, message: str) -> None:
    """A late failure (e.g. a redelivered chunk task) never turns a finalised run into a failed one."""
    IngestRun.objects.filter(pk=run_id).exclude(status=IngestRun.Status.DONE).update(
        status=IngestRun.Status.FAILED,
        error=message[:2000].replace("\x00", "\ufffd"),
        finished_at=timezone.now(),
    )


def ingest_run_plan(*, run_id: int) -> list[int]:
    """Splits the file into chunks (once) and returns the indexes still to process."""
    from discovery.engine.pipeline import chunk_plan

    run = IngestRun.objects.get(pk=run_id)
    if run.status == IngestRun.Status.DONE:
        return []
    path = Path(run.path)
    if not path.is_file():
        _fail(run_id, f"The file {run.file_name} is no longer at {run.path}.")
        return []
    try:
        plan = chunk_plan(path, target_bytes=chunk_target_bytes())
    except (OSError, ValueError) as exc:
        _fail(run_id, f"Could not read {run.file_name}: {exc}")
        return []
    if not plan:  # an empty file has no chunks, so no chunk would ever finalise the run
        _fail(run_id, f"{run.file_name} is empty: there is nothing to ingest.")
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


def pseudonym_key() -> bytes:
    secret = getattr(settings, "SIGHTLINE_PSEUDONYM_KEY", "") or settings.SECRET_KEY
    return hmac.new(secret.encode(), b"sightline-discovery-pseudonym", hashlib.sha256).digest()


def identity_maps(*, on: dt.datetime | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(identifier → person, person → team) from mappings valid now; the pipeline takes a flat dict."""
    on = on or timezone.now()
    people: dict[str, str] = {}
    teams: dict[str, str] = {}
    rows = IdentityMapping.objects.exclude(valid_from__gt=on).exclude(valid_to__lt=on)
    for kind, identifier, person, team in rows.values_list("kind", "identifier", "person", "team"):
        key = (
            identifier.strip()
            if kind == IdentityMapping.Kind.AWS_PRINCIPAL
            else identifier.strip().lower()
        )
        people[key] = person.strip().lower()
        if team:
            teams[person.strip().lower()] = team
    return people, teams


def _file_time(path: str) -> dt.datetime | None:
    """The pipeline takes one flat map per chunk, so mappings are chosen as of the file's last write
    (a log file's events end near its mtime), not as of today."""
    try:
        return dt.datetime.fromtimestamp(Path(path).stat().st_mtime, tz=dt.UTC)
    except OSError:
        return None


def bedrock_allowlist() -> set[str]:
    """Bedrock admin and application principals the LLMjacking rules must not flag."""
    return set(getattr(settings, "SIGHTLINE_BEDROCK_ALLOWLIST", []) or [])


def host_allowlist() -> set[str]:
    """Sanctioned internal AI gateways that the possible-AI heuristics should not report."""
    return set(getattr(settings, "SIGHTLINE_DISCOVERY_HOST_ALLOWLIST", []) or [])


class ChunkUnreadable(ValueError):
    """The pipeline could not read any record from the chunk (e.g. a corrupt gzip stream)."""


def _epoch(value: Any) -> float:
    """The pipeline hands out aware datetimes; chunk results store epoch seconds as JSON."""
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value or 0)


def _nul_free(value: Any) -> Any:
    """PostgreSQL text and jsonb refuse NUL characters; raw log samples may carry them."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_nul_free(v) for v in value]
    if isinstance(value, dict):
        return {_nul_free(k): _nul_free(v) for k, v in value.items()}
    return value


def _serialise_result(result: Any, names: dict[str, str]) -> dict:
    """Chunk results as JSON: the per-subject totals and review hits the finaliser merges."""
    subjects: dict[str, dict] = {}
    for (subject, identity, day), agg in result.rollups.items():
        s = subjects.setdefault(
            subject,
            {"requests": 0, "bytes_up": 0, "bytes_down": 0, "first": _epoch(agg.first_ts),
             "last": _epoch(agg.last_ts), "identities": {}, "days": {}},
        )  # fmt: skip
        s["requests"] += agg.requests
        s["bytes_up"] += agg.bytes_up
        s["bytes_down"] += agg.bytes_down
        s["first"] = min(s["first"], _epoch(agg.first_ts))
        s["last"] = max(s["last"], _epoch(agg.last_ts))
        if identity:
            s["identities"][identity] = s["identities"].get(identity, 0) + agg.requests
        s["days"][day] = s["days"].get(day, 0) + agg.requests
    possible = []
    for (host, code), agg in result.possible_ai.items():
        possible.append(
            {
                "host": host,
                "code": code,
                "count": agg.count,
                "users": sorted(agg.users)[:200],
                "first": _epoch(agg.first_ts),
                "last": _epoch(agg.last_ts),
                "samples": list(agg.sample_lines)[:MAX_SAMPLES],
            }
        )
    return _nul_free(
        {
            "lines_read": result.lines_read,
            "parsed": result.parsed,
            "matched": result.matched,
            "skipped": dict(result.skipped),
            "skip_samples": {k: list(v)[:MAX_SAMPLES] for k, v in result.skip_samples.items()},
            "bytes_done": result.bytes_done,
            "subjects": subjects,
            "possible_ai": possible,
            "cloud_events": len(result.cloud_events),
        }
    )


def _split_subject(subject: str) -> tuple[str, str]:
    if subject.startswith("host:"):
        return "", subject[5:]
    return subject, ""


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


def _aware(ts: Any) -> dt.datetime:
    if isinstance(ts, dt.datetime):
        return ts
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC)


def _touch_apps(*, run: IngestRun, subjects: dict[str, dict], names: dict[str, str]) -> None:
    """Records first/last sightings; the first sighting is what the new-app rule looks for.

    Rows are locked in one order (sorted), so two chunks merging at once never deadlock.
    """
    for subject, data in sorted(subjects.items()):
        app_key, host = _split_subject(subject)
        first, last = _aware(data["first"]), _aware(data["last"])
        app, created = DiscoveredApp.objects.select_for_update().get_or_create(
            app_key=app_key,
            host=host,
            defaults={
                "name": names.get(app_key, host or app_key)[:200],
                "first_seen": first,
                "last_seen": last,
                "first_run": run,
            },
        )
        if created:
            continue
        update = []
        if app.first_seen is None or first < app.first_seen:
            app.first_seen = first
            update.append("first_seen")
        if app.last_seen is None or last > app.last_seen:
            app.last_seen = last
            update.append("last_seen")
        if app.first_run_id is None:
            # Linked to a system before any traffic was seen: this run is still its first sighting.
            app.first_run = run
            update.append("first_run")
        if update:
            app.save(update_fields=update)


def ingest_chunk_process(*, run_id: int, index: int) -> bool:
    """Processes one chunk; the rollup writes and the 'done' mark share one transaction."""
    from discovery.engine.pipeline import Chunk, process_chunk

    run = IngestRun.objects.select_related("source").get(pk=run_id)
    chunk = IngestChunk.objects.get(run=run, index=index)
    if chunk.status == IngestChunk.Status.DONE:
        return ingest_run_finalise(run_id=run_id)
    source = run.source
    people, teams = (
        identity_maps(on=_file_time(run.path))
        if (source is None or source.use_identity_mapping)
        else ({}, {})
    )
    pseudonymise = bool(source and source.pseudonymise)
    options = {"feed": source.zscaler_feed} if source and source.zscaler_feed else None
    key = pseudonym_key() if pseudonymise else None
    if key:
        from discovery.engine.pipeline import pseudonymise as pseudonym

        teams = {pseudonym(person, key): team for person, team in teams.items()}
    try:
        result = process_chunk(
            Chunk(run.path, chunk.start, chunk.end, chunk.index),
            fmt=run.format,
            catalog=matching_catalog(),
            identity_map=people or None,
            pseudonymise_key=key,
            allowlist=host_allowlist(),
            options=options,
        )
        if result.error and not result.parsed:
            raise ChunkUnreadable(result.error)
    except Exception as exc:  # noqa: BLE001 - any parser failure must end as a visible run error
        message = _nul_free(f"Chunk {index} failed: {type(exc).__name__}: {exc}")
        if isinstance(exc, ChunkUnreadable):
            message = f"Could not read {run.file_name}: {exc}"
        IngestChunk.objects.filter(pk=chunk.pk).update(
            status=IngestChunk.Status.FAILED, error=message[:2000]
        )
        _fail(run_id, message)
        return False
    names = catalog_app_names()
    data = _serialise_result(result, names)
    events = _nul_free(
        [dataclasses.asdict(e) for e in result.cloud_events[:MAX_CLOUD_EVENTS_PER_CHUNK]]
    )
    merged_rows: dict[tuple, list] = {}
    for (subject, identity, day), agg in result.rollups.items():
        app_key, host = _split_subject(_nul_free(subject))
        ident = _nul_free(identity or "")[:200]
        key = (app_key[:80], host[:253], ident, _day(day))
        first, last = _aware(agg.first_ts), _aware(agg.last_ts)
        row = merged_rows.get(key)
        if row is None:
            merged_rows[key] = [
                agg.requests,
                agg.bytes_up,
                agg.bytes_down,
                first,
                last,
                teams.get(identity or "", "")[:120],
            ]
        else:  # two raw identities that clean to the same text must not collide in one upsert
            row[0] += agg.requests
            row[1] += agg.bytes_up
            row[2] += agg.bytes_down
            row[3], row[4] = min(row[3], first), max(row[4], last)
    rows = [
        RollupRow(k[0], k[1], k[2], v[5], k[3], v[0], v[1], v[2], v[3], v[4])
        for k, v in merged_rows.items()
    ]
    with transaction.atomic():
        locked = IngestChunk.objects.select_for_update().get(pk=chunk.pk)
        if locked.status == IngestChunk.Status.DONE:
            return False
        rollup_upsert(rows=rows)
        _touch_apps(run=run, subjects=data["subjects"], names=names)
        locked.status = IngestChunk.Status.DONE
        locked.results = data
        locked.cloud_events = events
        locked.error = ""
        locked.finished_at = timezone.now()
        locked.save()
        IngestRun.objects.filter(pk=run_id).update(
            bytes_done=F("bytes_done") + max(0, chunk.end - chunk.start),
            lines_read=F("lines_read") + data["lines_read"],
            lines_parsed=F("lines_parsed") + data["parsed"],
            lines_matched=F("lines_matched") + data["matched"],
            lines_skipped=F("lines_skipped") + sum(data["skipped"].values()),
        )
    return ingest_run_finalise(run_id=run_id)


def _merge_chunks(chunks: list[IngestChunk]) -> dict:
    totals = {"lines_read": 0, "parsed": 0, "matched": 0, "bytes_done": 0}
    skipped: dict[str, int] = {}
    samples: dict[str, list[str]] = {}
    subjects: dict[str, dict] = {}
    possible: dict[tuple[str, str], dict] = {}
    for chunk in chunks:
        r = chunk.results
        for key in totals:
            totals[key] += int(r.get(key, 0))
        for reason, n in r.get("skipped", {}).items():
            skipped[reason] = skipped.get(reason, 0) + n
        for reason, lines in r.get("skip_samples", {}).items():
            bucket = samples.setdefault(reason, [])
            bucket.extend(lines[: max(0, MAX_SAMPLES - len(bucket))])
        for subject, s in r.get("subjects", {}).items():
            m = subjects.setdefault(
                subject,
                {"requests": 0, "bytes_up": 0, "bytes_down": 0, "first": s["first"], "last": s["last"],
                 "identities": {}, "days": {}},
            )  # fmt: skip
            for k in ("requests", "bytes_up", "bytes_down"):
                m[k] += s[k]
            m["first"], m["last"] = min(m["first"], s["first"]), max(m["last"], s["last"])
            for ident, n in s["identities"].items():
                m["identities"][ident] = m["identities"].get(ident, 0) + n
            for day, n in s["days"].items():
                m["days"][day] = m["days"].get(day, 0) + n
        for p in r.get("possible_ai", []):
            m = possible.setdefault(
                (p["host"], p["code"]),
                {"host": p["host"], "code": p["code"], "count": 0, "users": set(),
                 "first": p["first"], "last": p["last"], "samples": []},
            )  # fmt: skip
            m["count"] += p["count"]
            m["users"].update(p["users"])
            m["first"], m["last"] = min(m["first"], p["first"]), max(m["last"], p["last"])
            m["samples"].extend(p["samples"][: max(0, MAX_SAMPLES - len(m["samples"]))])
    return {
        **totals,
        "skipped": skipped,
        "skip_samples": samples,
        "subjects": subjects,
        "possible_ai": list(possible.values()),
    }


def ingest_run_finalise(*, run_id: int) -> bool:
    """Runs once, when the last chunk is done: merges totals, applies the rules, marks the run done."""
    from discovery.rules import rules_apply

    with transaction.atomic():
        run = IngestRun.objects.select_for_update().get(pk=run_id)
        if run.finalised or run.status == IngestRun.Status.FAILED:
            return False
        chunks = list(run.chunks.order_by("index"))
        if not chunks or any(c.status != IngestChunk.Status.DONE for c in chunks):
            return False
        merged = _merge_chunks(chunks)
        events = [e for c in chunks for e in c.cloud_events]
        findings = rules_apply(run=run, merged=merged, cloud_events=events)
        run.lines_read = merged["lines_read"]
        run.lines_parsed = merged["parsed"]
        run.lines_matched = merged["matched"]
        run.lines_skipped = sum(merged["skipped"].values())
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
