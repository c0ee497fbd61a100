"""Chunk merge: one chunk's engine result becomes JSON, its rollups COPY text (one per write
part) and its CloudTrail events rows, where it was parsed; a finished batch's chunk summaries
merge in memory, and its rollups are written once, part by part (parts.py; COPY on PostgreSQL)."""

import base64
import dataclasses
import datetime as dt
import hashlib
import math
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from django.db import connection, transaction
from django.db.models import F
from django.db.models.fields.json import KT
from django.utils import timezone

from discovery.conf import host_allowlist, pseudonym_key
from discovery.engine.parsers.records import CloudEvent
from discovery.engine.pipeline import (
    Chunk,
    ChunkResult,
    calls_pack,
    cloud_rollups,
    grant_pack,
    process_chunk,
    pseudonymise,
    usage_pack,
    usage_unpack_into,
)
from discovery.engine.redaction import redact_line, redact_samples
from discovery.models import (
    CloudEventSeen,
    CloudTrailEvent,
    DiscoveredApp,
    IdentityMapping,
    IngestChunk,
    IngestRun,
)
from discovery.selectors import matching_catalog
from discovery.services.rollups import rollup_line, rollup_part

MAX_SAMPLES = 20
MAX_CLOUD_EVENTS_PER_CHUNK = 200_000
SEEN_BATCH = 500  # rows per INSERT: 3 parameters each, well under SQLite's limit
ROLLUP_COPY = "rollup_copy"  # key of a chunk's packed rollups (COPY text) in its stored results
ROLLUP_ROWS = "rollup_rows"  # the same as JSON rows, as chunks stored them before
EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(CloudEvent))


class ChunkUnreadable(ValueError):
    """The pipeline could not read any record from the chunk (e.g. a corrupt gzip stream)."""


TimeWindows = list[tuple[float, float, str]]


@dataclasses.dataclass(slots=True)
class PreparedChunk:
    """What a chunk stores: its results (summary), its rollups packed per write part and its
    CloudTrail events as rows with their keys; ``nul`` says a row holds a NUL character
    (PostgreSQL refuses it)."""

    results: dict
    packs: list[str]
    events: list[dict]
    keys: list[str]
    nul: bool = False


def identity_maps() -> tuple[dict[str, str | TimeWindows], dict[str, TimeWindows]]:
    """(identifier → person, person → team) for the pipeline, joined on each event's time: an
    identifier with validity windows (a DHCP lease, a directory change) maps to a list of
    (valid from, valid to, value); one valid for all time maps to the value itself."""
    windows: dict[str, TimeWindows] = {}
    teams: dict[str, TimeWindows] = {}
    rows = IdentityMapping.objects.values_list(
        "kind", "identifier", "person", "team", "valid_from", "valid_to"
    )
    for kind, identifier, person, team, valid_from, valid_to in rows.iterator():
        key = (
            identifier.strip()
            if kind == IdentityMapping.Kind.AWS_PRINCIPAL
            else identifier.strip().lower()
        )
        start = valid_from.timestamp() if valid_from else -math.inf
        end = valid_to.timestamp() if valid_to else math.inf
        who = person.strip().lower()
        windows.setdefault(key, []).append((start, end, who))
        if team:
            teams.setdefault(who, []).append((start, end, team))
    people: dict[str, str | TimeWindows] = {
        k: v[0][2] if len(v) == 1 and v[0][:2] == (-math.inf, math.inf) else v
        for k, v in windows.items()
    }
    return people, teams


def team_at(teams: dict[str, TimeWindows], person: str, day: dt.date) -> str:
    """The team the person belonged to on that day (the latest window that covers it)."""
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC).timestamp()
    found = ""
    for start, end, team in sorted(teams.get(person, ())):
        if start <= moment <= end:
            found = team
    return found


def _epoch(value: Any) -> float:
    """The pipeline hands out aware datetimes; chunk results store epoch seconds as JSON."""
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value or 0)


def nul_free(value: Any) -> Any:
    """PostgreSQL text and jsonb refuse NUL characters; raw log samples may carry them."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [nul_free(v) for v in value]
    if isinstance(value, dict):
        return {nul_free(k): nul_free(v) for k, v in value.items()}
    return value


def _serialise_result(result: ChunkResult) -> dict:
    """Chunk results as JSON: the per-subject totals and review hits the finaliser merges."""
    subjects: dict[str, dict] = {}
    for (subject, identity, day), agg in result.rollups.items():
        s = subjects.setdefault(
            subject,
            {
                "requests": 0,
                "bytes_up": 0,
                "bytes_down": 0,
                "first": agg.first,
                "last": agg.last,
                "identities": {},
                "days": {},
            },
        )
        s["requests"] += agg.requests
        s["bytes_up"] += agg.bytes_up
        s["bytes_down"] += agg.bytes_down
        s["first"] = min(s["first"], agg.first)
        s["last"] = max(s["last"], agg.last)
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
                "samples": [redact_line(s) for s in list(agg.sample_lines)[:MAX_SAMPLES]],
            }
        )
    return nul_free(
        {
            "lines_read": result.lines_read,
            "parsed": result.parsed,
            "matched": result.matched,
            "header_lines": result.header_lines,
            "skipped": dict(result.skipped),
            "skip_samples": redact_samples(
                {k: list(v)[:MAX_SAMPLES] for k, v in result.skip_samples.items()}
            ),
            "bytes_done": result.bytes_done,
            "subjects": subjects,
            "possible_ai": possible,
            "cloud_events": len(result.cloud_events),
            "grants": [grant_pack(g) for g in result.grants],
            "model_usage": usage_pack(result.model_usage),
            "model_calls": calls_pack(result.model_calls),
        }
    )


def _split_subject(subject: str) -> tuple[str, str]:
    if subject.startswith("host:"):
        return "", subject[5:]
    return subject, ""


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


def as_datetime(ts: Any) -> dt.datetime:
    """Chunk results hold epoch seconds (JSON); rules and rollups need aware datetimes."""
    if isinstance(ts, dt.datetime):
        return ts
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC)


def app_sightings_touch(
    *, run: IngestRun, subjects: dict[str, dict], names: dict[str, str]
) -> None:
    """Records first/last sightings; the first sighting is what the new-app rule looks for.

    Rows are locked in one order (sorted), so two chunks merging at once never deadlock.
    """
    for subject, data in sorted(subjects.items()):
        app_key, host = _split_subject(subject)
        first, last = as_datetime(data["first"]), as_datetime(data["last"])
        if host and not DiscoveredApp.objects.filter(app_key=app_key, host=host).exists():
            continue  # a heuristic hit becomes a discovered app only once an officer confirms it
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


def chunk_identity(
    *, run: IngestRun, path: str | None = None
) -> tuple[dict, dict[str, TimeWindows], bytes | None]:
    """(identifier → person, person → team, pseudonym key or None) for this run's source; the
    pipeline picks the mapping valid at each event's time, never the file's."""
    source = run.source
    people, teams = identity_maps() if (source is None or source.use_identity_mapping) else ({}, {})
    key = pseudonym_key() if (source and source.pseudonymise) else None
    if key:
        teams = {pseudonymise(person, key): spans for person, spans in teams.items()}
    return people, teams, key


def engine_options(source) -> dict | None:
    """The source's parser options (Zscaler feed, Squid logformat) for the engine."""
    options = {}
    if source and source.zscaler_feed:
        options["feed"] = source.zscaler_feed
    if source and source.squid_logformat:
        options["logformat"] = source.squid_logformat
    return options or None


def ingest_chunk_compute(
    *, run: IngestRun, chunk: IngestChunk, people: dict[str, str], key: bytes | None
) -> ChunkResult:
    """Runs the engine on one chunk; raises ChunkUnreadable when nothing could be read."""
    f = chunk.file
    result = process_chunk(
        Chunk(f.path if f else run.path, chunk.start, chunk.end, chunk.index, skip=chunk.skip),
        fmt=f.format if f else run.format,
        catalog=matching_catalog(),
        identity_map=people or None,
        pseudonymise_key=key,
        allowlist=host_allowlist(),
        options=engine_options(run.source),
    )
    if result.error and not result.parsed:
        raise ChunkUnreadable(result.error)
    return result


def cloud_event_key(e: CloudEvent) -> str:
    """The eventID; an event without one is keyed by a hash of what identifies it."""
    if e.event_id:
        return e.event_id[:128]
    parts = (
        f"{e.ts:.6f}",
        e.event_source,
        e.event_name,
        e.region,
        e.principal or e.access_key_id,
        e.source_ip,
        e.error_code,
        e.model_id,
    )
    return "h:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _first_sightings(*, run: IngestRun, times: dict[str, float]) -> set[str]:
    """Records the event keys (with their event times) and returns those recorded here first.

    INSERT … ON CONFLICT DO NOTHING RETURNING: a key another transaction is inserting waits for
    it, so two chunks (or two workers) holding one event count it once. Keys go in sorted, one
    lock order for every writer, so two chunks never deadlock. PostgreSQL takes them as two
    arrays in one statement; SQLite in batches of VALUES."""
    if not times:
        return set()
    table = CloudEventSeen._meta.db_table
    keys = sorted(times)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (event_id, run_id, event_time) "
                "SELECT k, %s, to_timestamp(t) FROM unnest(%s::text[], %s::float8[]) AS u(k, t) "
                "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
                [run.pk, keys, [times[k] for k in keys]],
            )
            return {row[0] for row in cursor.fetchall()}
        ops = connection.ops
        new: set[str] = set()
        for i in range(0, len(keys), SEEN_BATCH):
            part = keys[i : i + SEEN_BATCH]
            values = ", ".join(["(%s, %s, %s)"] * len(part))
            params: list = []
            for k in part:
                params += [k, run.pk, ops.adapt_datetimefield_value(as_datetime(times[k]))]
            cursor.execute(
                f"INSERT INTO {table} (event_id, run_id, event_time) VALUES {values} "
                "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
                params,
            )
            new.update(row[0] for row in cursor.fetchall())
    return new


def _count_new_events_only(
    prepared: PreparedChunk,
    result: ChunkResult,
    *,
    run: IngestRun,
    people: dict[str, str] | None,
    key: bytes | None,
) -> int:
    """Drops the chunk's CloudTrail events counted before (same eventID) from its rollups, its
    matched count and the events handed to the rules; returns how many were dropped (the
    caller prepares the chunk again when some were)."""
    first: dict[str, dict] = {}
    for k, row in zip(prepared.keys, prepared.events, strict=True):
        first.setdefault(k, row)
    new = _first_sightings(run=run, times={k: row["ts"] for k, row in first.items()})
    dropped = len(prepared.events) - len(new)
    if dropped:
        fresh = [CloudEvent(**row) for k, row in first.items() if k in new]
        result.rollups, result.matched = cloud_rollups(
            fresh, identity_map=people or None, pseudonymise_key=key
        )
        result.cloud_events = fresh
    return dropped


def ingest_chunk_store(
    *,
    run: IngestRun,
    chunk: IngestChunk,
    result: ChunkResult,
    people: dict[str, str] | None = None,
    key: bytes | None = None,
    prepared: PreparedChunk | None = None,
    teams: dict[str, TimeWindows] | None = None,
) -> bool:
    """The event-ID check, the chunk's stored results (its rollups packed, written with the
    batch's) and the 'done' mark share one transaction; False if the chunk was already done.
    ``prepared`` is chunk_prepare(result, teams) when it was computed beforehand (in the engine
    process that parsed the chunk); it is computed here otherwise."""
    if prepared is None:
        prepared = chunk_prepare(result, teams=teams, parts=run.write_parts)
    with transaction.atomic():
        locked = IngestChunk.objects.select_for_update().get(pk=chunk.pk)
        if locked.status == IngestChunk.Status.DONE:
            return False
        dropped = 0
        if prepared.keys:
            dropped = _count_new_events_only(prepared, result, run=run, people=people, key=key)
        if dropped:
            prepared = chunk_prepare(result, teams=teams, parts=run.write_parts)
        _store_locked(run, chunk, locked, prepared, dropped)
    return True


def chunk_prepare(
    result: ChunkResult, teams: dict[str, TimeWindows] | None = None, parts: int = 1
) -> PreparedChunk:
    """What a chunk stores. Pure computation, so the engine process that parsed the chunk can do
    it (only this ships back, not the rollups and events)."""
    data = _serialise_result(result)
    packs = rollups_pack(result, teams=teams, parts=parts)
    events = [{name: getattr(e, name) for name in EVENT_FIELDS} for e in result.cloud_events]
    keys = [cloud_event_key(e) for e in result.cloud_events]
    return PreparedChunk(data, packs, events, keys, _has_nul(events))


def _has_nul(events: list[dict]) -> bool:
    """Whether a row holds a NUL character (one C-speed scan of the rows as JSON); rows orjson
    cannot write (an integer beyond 64 bits) are cleaned anyway."""
    if not events:
        return False
    try:
        return b"\\u0000" in orjson.dumps(events)
    except orjson.JSONEncodeError:
        return True


def rollups_pack(
    result: ChunkResult, teams: dict[str, TimeWindows] | None = None, parts: int = 1
) -> list[str]:
    """The chunk's rollups as ``parts`` compact texts, a row in the part of its identity
    (rollups.rollup_part): COPY lines (rollups.rollup_line: app, host, identity, the team on
    that day, day, counts, first and last epoch seconds), zlib-compressed and base64-encoded."""
    lines: list[list[str]] = [[] for _ in range(parts)]
    team_of: dict[tuple[str, str], str] = {}
    for (subject, identity, day), a in result.rollups.items():
        app_key, host = _split_subject(subject)
        identity = identity or ""
        team = ""
        if teams:
            team = team_of.get((identity, day))
            if team is None:
                team = team_of[(identity, day)] = team_at(teams, identity, _day(day))
        line = rollup_line(app_key, host, identity, team, day[:10], *_counts(a))
        lines[rollup_part(line, parts)].append(line)
    return [_pack("".join(part)) if part else "" for part in lines]


def _counts(a) -> tuple:
    return a.requests, a.bytes_up, a.bytes_down, a.first, a.last


def _pack(text: str) -> str:
    return base64.b64encode(zlib.compress(text.encode(), 1)).decode("ascii")


def rollups_unpack(text: str) -> list[list]:
    """Rollups packed as JSON rows (the format before COPY text)."""
    return orjson.loads(zlib.decompress(base64.b64decode(text))) if text else []


def _store_locked(
    run: IngestRun, chunk: IngestChunk, locked: IngestChunk, prepared: PreparedChunk, dropped: int
) -> None:
    data = {**prepared.results, "events_duplicate": dropped}
    events = prepared.events[:MAX_CLOUD_EVENTS_PER_CHUNK]
    locked.status = IngestChunk.Status.DONE
    locked.results = data
    locked.packs = prepared.packs
    locked.cloud_events = nul_free(events) if prepared.nul else events
    locked.error = ""
    locked.finished_at = timezone.now()
    locked.save()
    if locked.cloud_events:
        _events_store(run, locked)
    IngestRun.objects.filter(pk=run.pk).update(
        bytes_done=F("bytes_done") + max(0, chunk.end - chunk.start),
        lines_read=F("lines_read") + data["lines_read"],
        lines_parsed=F("lines_parsed") + data["parsed"],
        lines_matched=F("lines_matched") + data["matched"],
        lines_skipped=F("lines_skipped") + sum(data["skipped"].values()),
        lines_header=F("lines_header") + data.get("header_lines", 0),
    )


def _events_store(run: IngestRun, chunk: IngestChunk) -> None:
    """Keeps the chunk's CloudTrail events (first sightings, as the chunk stored them) with its
    'done' mark, so storing them scales with the chunks and the batch's LLMjacking part only
    evaluates them; an eventID already stored is skipped. PostgreSQL inserts straight from the
    chunk's stored JSON, without a round trip through Python."""
    if connection.vendor != "postgresql":
        CloudTrailEvent.objects.bulk_create(
            [
                CloudTrailEvent(
                    event_id=e["event_id"][:128],
                    ts=as_datetime(e["ts"]),
                    principal=(e.get("principal") or e.get("access_key_id") or "unknown")[:300],
                    event_name=e["event_name"][:120],
                    source_id=run.source_id,
                    run=run,
                    data=e,
                )
                for e in chunk.cloud_events
                if e.get("event_id")
            ],
            batch_size=SEEN_BATCH,
            ignore_conflicts=True,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CloudTrailEvent._meta.db_table} "
            "(event_id, ts, principal, event_name, source_id, run_id, data) "
            "SELECT LEFT(e->>'event_id', 128), to_timestamp((e->>'ts')::float8), "
            "LEFT(COALESCE(NULLIF(e->>'principal', ''), NULLIF(e->>'access_key_id', ''), "
            "'unknown'), 300), LEFT(e->>'event_name', 120), %s, %s, e "
            f"FROM {IngestChunk._meta.db_table} c "
            "CROSS JOIN LATERAL jsonb_array_elements(c.cloud_events) AS e "
            "WHERE c.id = %s AND COALESCE(e->>'event_id', '') <> '' "
            "ORDER BY 1 ON CONFLICT (event_id) DO NOTHING",
            [run.source_id, run.pk, chunk.pk],
        )


def chunk_packs(run: IngestRun, part: int = 0) -> Iterator[str]:
    """Each chunk's rollups of write part ``part`` as COPY text, one chunk at a time (memory
    stays flat)."""
    teams = None
    for pk in run.chunks.order_by("index").values_list("pk", flat=True):
        pack, text, rows = (
            IngestChunk.objects.filter(pk=pk)
            .values_list(
                KT(f"packs__{part}"), KT(f"results__{ROLLUP_COPY}"), KT(f"results__{ROLLUP_ROWS}")
            )
            .get()
        )
        if not (text or rows):
            if pack:
                yield _unpack(pack)
            continue
        # Stored before rollups were split into parts: the whole text is in the chunk's
        # results (as JSON rows before COPY text), and the part's rows are picked out here.
        if text:
            whole = _unpack(text)
        else:
            if teams is None:
                teams = chunk_identity(run=run)[1]
            whole = "".join(
                rollup_line(*_split_subject(s), i or "", _team(teams, i, d), d[:10], *counts)
                for s, i, d, *counts in rollups_unpack(rows)
            )
        lines = whole.splitlines(keepends=True)
        yield "".join(line for line in lines if rollup_part(line, run.write_parts) == part)


def _unpack(text: str) -> str:
    return zlib.decompress(base64.b64decode(text)).decode()


def _team(teams: dict[str, TimeWindows], identity: str | None, day: str) -> str:
    return team_at(teams, identity or "", _day(day)) if teams else ""


def ingest_chunks_merge(results: Iterable[dict]) -> dict:
    """Adds up the stored results of a run's chunks: totals, skips, subjects and review hits
    (their rollups are written from the chunks by chunk_packs). Results may be a generator."""
    totals = {
        "lines_read": 0,
        "parsed": 0,
        "matched": 0,
        "header_lines": 0,
        "bytes_done": 0,
        "events_duplicate": 0,
    }
    skipped: dict[str, int] = {}
    samples: dict[str, list[str]] = {}
    subjects: dict[str, dict] = {}
    possible: dict[tuple[str, str], dict] = {}
    grants: list[list] = []
    model_usage: dict[tuple, list] = {}
    for r in results:
        grants.extend(r.get("grants", ()))
        usage_unpack_into(model_usage, r.get("model_usage", ()))
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
                {
                    "requests": 0,
                    "bytes_up": 0,
                    "bytes_down": 0,
                    "first": s["first"],
                    "last": s["last"],
                    "identities": {},
                    "days": {},
                },
            )
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
                {
                    "host": p["host"],
                    "code": p["code"],
                    "count": 0,
                    "users": set(),
                    "first": p["first"],
                    "last": p["last"],
                    "samples": [],
                },
            )
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
        "grants": grants,
        "model_usage": model_usage,
    }
