"""Bulk upserts of usage rollups: COPY + ON CONFLICT on Postgres, batched upserts on SQLite."""

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection

from discovery.models import UsageRollup

SQLITE_BATCH = 500


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


def _postgres_upsert(rows: list[RollupRow]) -> None:
    table = UsageRollup._meta.db_table
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute("DROP TABLE IF EXISTS tmp_usage_rollup")
        raw.execute(
            "CREATE TEMP TABLE tmp_usage_rollup (app_key varchar(80), host varchar(253), "
            "identity varchar(200), team varchar(120), day date, requests bigint, "
            "bytes_up bigint, bytes_down bigint, first_seen timestamptz, last_seen timestamptz) "
            "ON COMMIT DROP"
        )
        with raw.copy(f"COPY tmp_usage_rollup ({_COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.execute(
            f"INSERT INTO {table} ({_COLUMNS}) SELECT {_COLUMNS} FROM tmp_usage_rollup "
            "ON CONFLICT (app_key, host, identity, day) DO UPDATE SET "
            f"requests = {table}.requests + EXCLUDED.requests, "
            f"bytes_up = {table}.bytes_up + EXCLUDED.bytes_up, "
            f"bytes_down = {table}.bytes_down + EXCLUDED.bytes_down, "
            f"first_seen = LEAST({table}.first_seen, EXCLUDED.first_seen), "
            f"last_seen = GREATEST({table}.last_seen, EXCLUDED.last_seen), "
            f"team = CASE WHEN EXCLUDED.team <> '' THEN EXCLUDED.team ELSE {table}.team END"
        )


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
            r.app_key, r.host, r.identity, r.team, ops.adapt_datefield_value(r.day),
            r.requests, r.bytes_up, r.bytes_down,
            ops.adapt_datetimefield_value(r.first_seen), ops.adapt_datetimefield_value(r.last_seen),
        )
        for r in rows
    ]  # fmt: skip
    with connection.cursor() as cursor:
        for i in range(0, len(params), SQLITE_BATCH):
            cursor.executemany(sql, params[i : i + SQLITE_BATCH])


def rollup_upsert(*, rows: Iterable[RollupRow]) -> int:
    """Adds the rows' counts to existing rollups; call inside the chunk's transaction."""
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        _postgres_upsert(rows)
    else:
        _sqlite_upsert(rows)
    return len(rows)
