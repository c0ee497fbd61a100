"""Bulk upserts of usage rollups: COPY + ON CONFLICT on Postgres, batched upserts on SQLite.

Rows arrive as COPY text (``rollup_line``), built where the chunk was parsed, so each write
part of a batch (parts.py) streams them to PostgreSQL without touching each row in Python
again. The per-app summaries (AppUsageDay, AppIdentity, AppUsageTotal) are merged by the same
call from the same temporary table, so they commit or roll back with the rollups and inherit
their idempotency: a part is written once. Every upsert writes its rows in key order, and the
tables always in the same order, so two writers of the same rows queue behind each other
instead of deadlocking.
"""

import datetime as dt
import zlib
from collections.abc import Iterable
from functools import partial
from typing import NamedTuple

from django.db import connection, transaction

from discovery.models import AppIdentity, AppUsageDay, AppUsageTotal, UsageRollup

SQLITE_BATCH = 500
WORK_MEM = "64MB"  # the batch's sorts and groupings stay in memory (the default is 4 MB)
# COPY text escapes; NUL, which PostgreSQL text refuses, becomes U+FFFD as nul_free() does.
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": "\ufffd"})
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


class RollupRow(NamedTuple):
    app_key: str
    host: str
    identity: str
    team: str
    day: dt.date
    requests: int
    bytes_up: int
    bytes_down: int
    first_seen: dt.datetime
    last_seen: dt.datetime


_COLUMNS = (
    "app_key, host, identity, team, day, requests, bytes_up, bytes_down, first_seen, last_seen"
)
_DAY_COLUMNS = "app_key, host, day, requests, bytes_up, bytes_down, first_seen, last_seen"
_IDENTITY_COLUMNS = "app_key, host, identity, last_day"
_TOTAL_COLUMNS = "app_key, host, requests, bytes_up, bytes_down, users, first_seen, last_seen"


def _tables() -> tuple[str, str, str, str]:
    return (
        UsageRollup._meta.db_table,
        AppUsageDay._meta.db_table,
        AppIdentity._meta.db_table,
        AppUsageTotal._meta.db_table,
    )


def rollup_line(
    app_key: str,
    host: str,
    identity: str,
    team: str,
    day: str,
    requests: int,
    bytes_up: int,
    bytes_down: int,
    first: float,
    last: float,
) -> str:
    """One rollup as a line of COPY text (``_COLUMNS`` order); times are epoch seconds, keys are
    cut to their column's length (before escaping, which may lengthen them)."""
    return (
        f"{app_key[:80].translate(_ESCAPES)}\t{host[:253].translate(_ESCAPES)}\t"
        f"{identity[:200].translate(_ESCAPES)}\t{team[:120].translate(_ESCAPES)}\t{day}\t"
        f"{requests}\t{bytes_up}\t{bytes_down}\t{first!r}\t{last!r}\n"
    )


def rollup_part(line: str, parts: int) -> int:
    """The write part of a rollup line: the CRC-32 of its identity (the third field) modulo
    ``parts``. The rows of one identity, from whatever chunk, fall in one part, so parts hold
    disjoint rollup and identity keys, and an app's new users add up across parts."""
    if parts <= 1:
        return 0
    return zlib.crc32(line.split("\t", 3)[2].encode()) % parts


def _epoch(value: dt.datetime) -> float:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def _lines(rows: Iterable[RollupRow]) -> str:
    return "".join(
        rollup_line(*r[:4], r.day.isoformat(), *r[5:8], _epoch(r.first_seen), _epoch(r.last_seen))
        for r in rows
    )


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            out.append(_UNESCAPES.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _parse(packs: Iterable[str]) -> list[RollupRow]:
    """COPY text back to rows, those of one key added up (SQLite's path, and a row's key may
    appear in several chunks)."""
    merged: dict[tuple, list] = {}
    for text in packs:
        for line in text.split("\n"):
            if not line:
                continue
            app_key, host, identity, team, day, req, up, down, first, last = line.split("\t")
            key = (_unescape(app_key), _unescape(host), _unescape(identity), day)
            row = merged.get(key)
            req, up, down, first, last = int(req), int(up), int(down), float(first), float(last)
            if row is None:
                merged[key] = [req, up, down, first, last, _unescape(team)]
                continue
            row[0] += req
            row[1] += up
            row[2] += down
            row[3], row[4] = min(row[3], first), max(row[4], last)
            row[5] = max(row[5], _unescape(team))
    at = partial(dt.datetime.fromtimestamp, tz=dt.UTC)
    return [
        RollupRow(*k[:3], v[5], dt.date.fromisoformat(k[3]), *v[:3], at(v[3]), at(v[4]))
        for k, v in merged.items()
    ]


def _postgres_write(packs: Iterable[str]) -> int:
    """COPY of every pack into one temporary table, then one set-based upsert per table; the
    rows of a key found in several packs are added up by the GROUP BY. Keys are compared and
    sorted byte-wise (COLLATE "C": cheaper than the database's collation, and one order for
    every writer). Returns the number of rollup rows written."""
    table, days, identities, totals = _tables()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        raw.execute("DROP TABLE IF EXISTS tmp_usage_rollup")
        raw.execute(
            'CREATE TEMP TABLE tmp_usage_rollup (app_key text COLLATE "C", '
            'host text COLLATE "C", identity text COLLATE "C", team text, day date, '
            "requests bigint, bytes_up bigint, bytes_down bigint, first_seen float8, "
            "last_seen float8) ON COMMIT DROP"
        )
        copied = 0
        for text in packs:
            if not text:
                continue
            with raw.copy(f"COPY tmp_usage_rollup ({_COLUMNS}) FROM STDIN") as copy:
                copy.write(text)
            copied += 1
        if not copied:
            return 0
        # No ANALYZE: the plans are the same without it (hash aggregate, then sort), and it
        # cost ~40 ms a part.
        raw.execute(
            f"INSERT INTO {table} ({_COLUMNS}) "
            "SELECT app_key, host, identity, MAX(team), day, SUM(requests), SUM(bytes_up), "
            "SUM(bytes_down), to_timestamp(MIN(first_seen)), to_timestamp(MAX(last_seen)) "
            "FROM tmp_usage_rollup GROUP BY app_key, host, identity, day "
            "ORDER BY app_key, host, identity, day "
            "ON CONFLICT (app_key, host, identity, day) DO UPDATE SET "
            f"requests = {table}.requests + EXCLUDED.requests, "
            f"bytes_up = {table}.bytes_up + EXCLUDED.bytes_up, "
            f"bytes_down = {table}.bytes_down + EXCLUDED.bytes_down, "
            f"first_seen = LEAST({table}.first_seen, EXCLUDED.first_seen), "
            f"last_seen = GREATEST({table}.last_seen, EXCLUDED.last_seen), "
            f"team = CASE WHEN EXCLUDED.team <> '' THEN EXCLUDED.team ELSE {table}.team END"
        )
        written = raw.rowcount
        # One pass over the identities: the unique index lets exactly one transaction insert
        # each one (a concurrent inserter waits, then updates or skips it), and only a row this
        # statement inserted has xmax 0, so each app's user count grows once per new identity.
        raw.execute("DROP TABLE IF EXISTS tmp_usage_new_users")
        raw.execute(
            'CREATE TEMP TABLE tmp_usage_new_users (app_key text COLLATE "C", '
            'host text COLLATE "C", users bigint) ON COMMIT DROP'
        )
        raw.execute(
            f"WITH added AS (INSERT INTO {identities} ({_IDENTITY_COLUMNS}) "
            "SELECT app_key, host, identity, MAX(day) FROM tmp_usage_rollup "
            "WHERE identity <> '' GROUP BY app_key, host, identity "
            "ORDER BY app_key, host, identity "
            "ON CONFLICT (app_key, host, identity) DO UPDATE SET last_day = EXCLUDED.last_day "
            f"WHERE {identities}.last_day < EXCLUDED.last_day "
            "RETURNING app_key, host, xmax = 0 AS inserted) "
            "INSERT INTO tmp_usage_new_users SELECT app_key, host, COUNT(*) FROM added "
            "WHERE inserted GROUP BY app_key, host"
        )
        # The rows every part and batch shares come last, so a concurrent writer waits only
        # for these two short statements, not for this one's whole write.
        raw.execute(
            f"INSERT INTO {days} ({_DAY_COLUMNS}) "
            "SELECT app_key, host, day, SUM(requests), SUM(bytes_up), SUM(bytes_down), "
            "to_timestamp(MIN(first_seen)), to_timestamp(MAX(last_seen)) FROM tmp_usage_rollup "
            "GROUP BY app_key, host, day ORDER BY app_key, host, day "
            "ON CONFLICT (app_key, host, day) DO UPDATE SET "
            f"requests = {days}.requests + EXCLUDED.requests, "
            f"bytes_up = {days}.bytes_up + EXCLUDED.bytes_up, "
            f"bytes_down = {days}.bytes_down + EXCLUDED.bytes_down, "
            f"first_seen = LEAST({days}.first_seen, EXCLUDED.first_seen), "
            f"last_seen = GREATEST({days}.last_seen, EXCLUDED.last_seen)"
        )
        raw.execute(
            f"INSERT INTO {totals} ({_TOTAL_COLUMNS}) "
            "SELECT u.app_key, u.host, SUM(u.requests), SUM(u.bytes_up), SUM(u.bytes_down), "
            "COALESCE(MAX(n.users), 0), to_timestamp(MIN(u.first_seen)), "
            "to_timestamp(MAX(u.last_seen)) "
            "FROM tmp_usage_rollup u LEFT JOIN tmp_usage_new_users n "
            "ON n.app_key = u.app_key AND n.host = u.host "
            "GROUP BY u.app_key, u.host ORDER BY u.app_key, u.host "
            "ON CONFLICT (app_key, host) DO UPDATE SET "
            f"requests = {totals}.requests + EXCLUDED.requests, "
            f"bytes_up = {totals}.bytes_up + EXCLUDED.bytes_up, "
            f"bytes_down = {totals}.bytes_down + EXCLUDED.bytes_down, "
            f"users = {totals}.users + EXCLUDED.users, "
            f"first_seen = LEAST({totals}.first_seen, EXCLUDED.first_seen), "
            f"last_seen = GREATEST({totals}.last_seen, EXCLUDED.last_seen)"
        )
    return written


def _sqlite_upsert(rows: list[RollupRow]) -> None:
    table = UsageRollup._meta.db_table
    ops = connection.ops
    sql = (
        f"INSERT INTO {table} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (app_key, host, identity, day) DO UPDATE SET "
        "requests = requests + excluded.requests, "
        "bytes_up = bytes_up + excluded.bytes_up, "
        "bytes_down = bytes_down + excluded.bytes_down, "
        "first_seen = MIN(first_seen, excluded.first_seen), "
        "last_seen = MAX(last_seen, excluded.last_seen), "
        "team = CASE WHEN excluded.team <> '' THEN excluded.team ELSE team END"
    )
    params = [
        (
            r.app_key,
            r.host,
            r.identity,
            r.team,
            ops.adapt_datefield_value(r.day),
            r.requests,
            r.bytes_up,
            r.bytes_down,
            ops.adapt_datetimefield_value(r.first_seen),
            ops.adapt_datetimefield_value(r.last_seen),
        )
        for r in rows
    ]
    with connection.cursor() as cursor:
        for i in range(0, len(params), SQLITE_BATCH):
            cursor.executemany(sql, params[i : i + SQLITE_BATCH])
        _sqlite_summaries(cursor, rows)


def _usage(agg: list | None, r: RollupRow) -> list:
    """[requests, bytes_up, bytes_down, first_seen, last_seen] with one more rollup row added."""
    if agg is None:
        return [r.requests, r.bytes_up, r.bytes_down, r.first_seen, r.last_seen]
    agg[0], agg[1], agg[2] = agg[0] + r.requests, agg[1] + r.bytes_up, agg[2] + r.bytes_down
    agg[3], agg[4] = min(agg[3], r.first_seen), max(agg[4], r.last_seen)
    return agg


def _sqlite_summaries(cursor, rows: list[RollupRow]) -> None:
    """SQLite has one writer at a time (this transaction already wrote the rollups), so checking
    which identities are new before inserting them cannot race."""
    _table, days_table, identities_table, totals_table = _tables()
    ops = connection.ops
    days: dict[tuple, list] = {}
    apps: dict[tuple, list] = {}
    last_days: dict[tuple, dt.date] = {}
    for r in rows:
        days[(r.app_key, r.host, r.day)] = _usage(days.get((r.app_key, r.host, r.day)), r)
        apps[(r.app_key, r.host)] = _usage(apps.get((r.app_key, r.host)), r)
        if r.identity:
            ident = (r.app_key, r.host, r.identity)
            last_days[ident] = max(last_days.get(ident, r.day), r.day)
    cursor.executemany(
        f"INSERT INTO {days_table} ({_DAY_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (app_key, host, day) DO UPDATE SET "
        "requests = requests + excluded.requests, "
        "bytes_up = bytes_up + excluded.bytes_up, "
        "bytes_down = bytes_down + excluded.bytes_down, "
        "first_seen = MIN(first_seen, excluded.first_seen), "
        "last_seen = MAX(last_seen, excluded.last_seen)",
        [
            (
                k[0],
                k[1],
                ops.adapt_datefield_value(k[2]),
                v[0],
                v[1],
                v[2],
                ops.adapt_datetimefield_value(v[3]),
                ops.adapt_datetimefield_value(v[4]),
            )
            for k, v in sorted(days.items())
        ],
    )
    new_users: dict[tuple, int] = {}
    for key in sorted(last_days):
        cursor.execute(
            f"SELECT 1 FROM {identities_table} WHERE app_key = %s AND host = %s AND identity = %s",
            key,
        )
        if cursor.fetchone() is None:
            new_users[key[:2]] = new_users.get(key[:2], 0) + 1
    cursor.executemany(
        f"INSERT INTO {identities_table} ({_IDENTITY_COLUMNS}) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (app_key, host, identity) DO UPDATE SET "
        "last_day = MAX(last_day, excluded.last_day)",
        [(*k, ops.adapt_datefield_value(v)) for k, v in sorted(last_days.items())],
    )
    cursor.executemany(
        f"INSERT INTO {totals_table} ({_TOTAL_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (app_key, host) DO UPDATE SET "
        "requests = requests + excluded.requests, "
        "bytes_up = bytes_up + excluded.bytes_up, "
        "bytes_down = bytes_down + excluded.bytes_down, "
        "users = users + excluded.users, "
        "first_seen = MIN(first_seen, excluded.first_seen), "
        "last_seen = MAX(last_seen, excluded.last_seen)",
        [
            (
                k[0],
                k[1],
                v[0],
                v[1],
                v[2],
                new_users.get(k, 0),
                ops.adapt_datetimefield_value(v[3]),
                ops.adapt_datetimefield_value(v[4]),
            )
            for k, v in sorted(apps.items())
        ],
    )


def rollup_upsert(*, rows: Iterable[RollupRow]) -> int:
    """Adds the rows' counts to existing rollups and the per-app summaries; call inside the
    writing transaction."""
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        _postgres_write([_lines(rows)])
    else:
        _sqlite_upsert(rows)
    return len(rows)


def rollups_write(*, packs: Iterable[str]) -> int:
    """Adds rollups given as blocks of COPY text (``rollup_line``; a key may recur across
    blocks) to the rollups and per-app summaries in one upsert (a batch calls it once per write
    part); call inside a transaction. Returns the number of rollup rows written."""
    if connection.vendor == "postgresql":
        return _postgres_write(packs)
    rows = _parse(packs)
    if rows:
        _sqlite_upsert(rows)
    return len(rows)


@transaction.atomic
def usage_summary_rebuild() -> None:
    """Recomputes the per-app summaries from the rollups, for rollups written around
    rollup_upsert() (the load-test seed's COPY); the same SQL as migrations 0005 and 0007."""
    rollups, days, identities, totals = _tables()
    with connection.cursor() as cursor:
        for summary in (days, identities, totals):
            cursor.execute(f"DELETE FROM {summary}")
        cursor.execute(
            f"INSERT INTO {days} ({_DAY_COLUMNS}) "
            "SELECT app_key, host, day, SUM(requests), SUM(bytes_up), SUM(bytes_down), "
            f"MIN(first_seen), MAX(last_seen) FROM {rollups} GROUP BY app_key, host, day"
        )
        cursor.execute(
            f"INSERT INTO {identities} ({_IDENTITY_COLUMNS}) "
            f"SELECT app_key, host, identity, MAX(day) FROM {rollups} "
            "WHERE identity <> '' GROUP BY app_key, host, identity"
        )
        cursor.execute(
            f"INSERT INTO {totals} ({_TOTAL_COLUMNS}) "
            "SELECT app_key, host, SUM(requests), SUM(bytes_up), SUM(bytes_down), "
            "COUNT(DISTINCT NULLIF(identity, '')), MIN(first_seen), MAX(last_seen) "
            f"FROM {rollups} GROUP BY app_key, host"
        )
