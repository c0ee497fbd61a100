"""Chunk merge: one chunk's engine result becomes JSON; a finished batch's chunks merge in memory
and its rollups are written once (COPY on PostgreSQL)."""

import base64
import dataclasses
import datetime as dt
import hashlib
import math
import zlib
from collections.abc import Iterable
from typing import Any

import orjson
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from discovery.conf import host_allowlist, pseudonym_key
from discovery.engine.parsers.records import CloudEvent
from discovery.engine.pipeline import (
    Chunk,
    ChunkResult,
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
    DiscoveredApp,
    IdentityMapping,
    IngestChunk,
    IngestRun,
)
from discovery.selectors import catalog_app_names, matching_catalog
from discovery.services.rollups import RollupRow, rollup_upsert

MAX_SAMPLES = 20
MAX_CLOUD_EVENTS_PER_CHUNK = 200_000
SEEN_BATCH = 500  # rows per INSERT: 3 parameters each, well under SQLite's limit
ROLLUP_ROWS = "rollup_rows"  # key of a chunk's packed rollups in its stored results


class ChunkUnreadable(ValueError):
    """The pipeline could not read any record from the chunk (e.g. a corrupt gzip stream)."""


TimeWindows = list[tuple[float, float, str]]


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


def _touch_apps(*, run: IngestRun, subjects: dict[str, dict], names: dict[str, str]) -> None:
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


def cloud_events_first_seen(*, run: IngestRun, events: list[CloudEvent]) -> list[CloudEvent]:
    """Records the events' keys and returns the events seen here for the first time, in order.

    INSERT … ON CONFLICT DO NOTHING RETURNING on PostgreSQL and SQLite: a key another transaction
    is inserting waits for it, so two chunks (or two workers) holding one event count it once."""
    if not events:
        return []
    first: dict[str, CloudEvent] = {}
    for e in events:
        first.setdefault(cloud_event_key(e), e)
    table = CloudEventSeen._meta.db_table
    ops = connection.ops
    new: set[str] = set()
    keys = sorted(first)  # one lock order for every writer, so two chunks never deadlock
    with connection.cursor() as cursor:
        for i in range(0, len(keys), SEEN_BATCH):
            part = keys[i : i + SEEN_BATCH]
            values = ", ".join(["(%s, %s, %s)"] * len(part))
            params: list = []
            for k in part:
                params += [k, run.pk, ops.adapt_datetimefield_value(as_datetime(first[k].ts))]
            cursor.execute(
                f"INSERT INTO {table} (event_id, run_id, event_time) VALUES {values} "
                "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
                params,
            )
            new.update(row[0] for row in cursor.fetchall())
    return [e for k, e in first.items() if k in new]


def _count_new_events_only(
    result: ChunkResult, *, run: IngestRun, people: dict[str, str] | None, key: bytes | None
) -> int:
    """Drops the chunk's CloudTrail events counted before (same eventID) from its rollups, its
    matched count and the events handed to the rules; returns how many were dropped."""
    fresh = cloud_events_first_seen(run=run, events=result.cloud_events)
    dropped = len(result.cloud_events) - len(fresh)
    if dropped:
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
    prepared: dict | None = None,
) -> bool:
    """The event-ID check, the chunk's stored results (its rollups packed, written with the
    batch's) and the 'done' mark share one transaction; False if the chunk was already done.
    ``prepared`` is chunk_prepare(result) when the engine process already computed it."""
    with transaction.atomic():
        locked = IngestChunk.objects.select_for_update().get(pk=chunk.pk)
        if locked.status == IngestChunk.Status.DONE:
            return False
        dropped = 0
        if result.cloud_events:
            dropped = _count_new_events_only(result, run=run, people=people, key=key)
        if prepared is None or dropped:
            prepared = chunk_prepare(result)
        _store_locked(run, chunk, locked, result, {**prepared, "events_duplicate": dropped})
    return True


def chunk_prepare(result: ChunkResult) -> dict:
    """What a chunk stores: its summary and its packed rollups. Pure computation, so the engine
    process that parsed the chunk can do it (only this ships back, not the rollups)."""
    data = _serialise_result(result)
    data[ROLLUP_ROWS] = rollups_pack(result)
    return data


def rollups_pack(result: ChunkResult) -> str:
    """The chunk's rollups as one compact text (zlib-compressed JSON rows, base64): subject,
    identity, day, requests, bytes up, bytes down, first and last epoch seconds."""
    rows = [
        (s, i, d, a.requests, a.bytes_up, a.bytes_down, a.first, a.last)
        for (s, i, d), a in result.rollups.items()
    ]
    return base64.b64encode(zlib.compress(orjson.dumps(rows), 1)).decode("ascii")


def rollups_unpack(text: str) -> list[list]:
    return orjson.loads(zlib.decompress(base64.b64decode(text))) if text else []


def _store_locked(
    run: IngestRun, chunk: IngestChunk, locked: IngestChunk, result: ChunkResult, data: dict
) -> None:
    events = nul_free(
        [dataclasses.asdict(e) for e in result.cloud_events[:MAX_CLOUD_EVENTS_PER_CHUNK]]
    )
    locked.status = IngestChunk.Status.DONE
    locked.results = data
    locked.cloud_events = events
    locked.error = ""
    locked.finished_at = timezone.now()
    locked.save()
    IngestRun.objects.filter(pk=run.pk).update(
        bytes_done=F("bytes_done") + max(0, chunk.end - chunk.start),
        lines_read=F("lines_read") + data["lines_read"],
        lines_parsed=F("lines_parsed") + data["parsed"],
        lines_matched=F("lines_matched") + data["matched"],
        lines_skipped=F("lines_skipped") + sum(data["skipped"].values()),
        lines_header=F("lines_header") + data.get("header_lines", 0),
    )


def rollups_add(merged: dict[tuple, list], packed: str) -> None:
    """Adds one chunk's packed rollups to the batch's, keyed by (subject, identity, day)."""
    for subject, identity, day, req, up, down, first, last in rollups_unpack(packed):
        row = merged.get((subject, identity, day))
        if row is None:
            merged[(subject, identity, day)] = [req, up, down, first, last]
        else:
            row[0] += req
            row[1] += up
            row[2] += down
            row[3], row[4] = min(row[3], first), max(row[4], last)


def ingest_batch_write(
    *, run: IngestRun, rollups: dict[tuple, list], subjects: dict[str, dict], teams
) -> int:
    """Writes the batch's merged rollups and per-app summaries in ONE upsert (COPY on
    PostgreSQL) and records the apps' sightings; call inside the finalising transaction."""
    rows: dict[tuple, list] = {}
    days: dict[str, dt.date] = {}
    for (subject, identity, day), (req, up, down, first, last) in rollups.items():
        app_key, host = _split_subject(nul_free(subject))
        ident = nul_free(identity or "")[:200]
        if day not in days:
            days[day] = _day(day)
        key = (app_key[:80], host[:253], ident, days[day])
        row = rows.get(key)
        if row is None:
            team = team_at(teams, identity or "", key[3])[:120] if teams else ""
            rows[key] = [req, up, down, first, last, team]
        else:  # two raw identities that clean to the same text must not collide in one upsert
            row[0] += req
            row[1] += up
            row[2] += down
            row[3], row[4] = min(row[3], first), max(row[4], last)
    written = rollup_upsert(
        rows=[
            RollupRow(*k[:3], v[5], k[3], v[0], v[1], v[2], as_datetime(v[3]), as_datetime(v[4]))
            for k, v in rows.items()
        ]
    )
    _touch_apps(run=run, subjects=subjects, names=catalog_app_names())
    return written


def ingest_chunks_merge(results: Iterable[dict], rollups: dict[tuple, list] | None = None) -> dict:
    """Adds up the stored results of a run's chunks: totals, skips, subjects and review hits;
    their packed rollups are added to ``rollups`` when given. Results may be a generator, so
    only one chunk's rows are unpacked at a time."""
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
        if rollups is not None:
            rollups_add(rollups, r.get(ROLLUP_ROWS, ""))
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
