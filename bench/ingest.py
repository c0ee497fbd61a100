"""One measured full ingest: plan chunks, process them on N worker processes, merge, persist the
rollups to Postgres, optionally run every LLMjacking rule; print one JSON line of results.

    python -m bench.ingest --fmt squid --workers 2 --persist dd bench/data/squid_5m.log

--persist dd    the app's discovery.services.rollups.rollup_upsert (COPY + ON CONFLICT) via Django,
                one upsert per chunk on a writer thread while later chunks are parsed
--persist copy  psycopg COPY into a bench table (no Django), when the project DB is not migrated
--persist none  no database (pipeline only)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import queue
import resource
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from discovery import catalog_files  # noqa: E402
from discovery.engine import llmjacking  # noqa: E402
from discovery.engine.matching import Catalog  # noqa: E402
from discovery.engine.pipeline import ChunkResult, chunk_plan, process_chunk  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sl_bench"
BENCH_TABLE = "bench_usage_rollup"
_CAT: Catalog | None = None
_FMT = ""


def _init(fmt: str) -> None:
    global _CAT, _FMT
    _CAT = Catalog.from_yaml(catalog_files()[-1])
    _FMT = fmt


def _work(chunk) -> ChunkResult:
    assert _CAT is not None
    res = process_chunk(chunk, fmt=_FMT, catalog=_CAT)
    res.skip_samples = {}
    return res


def run_pipeline(
    path: str, fmt: str, workers: int, target_bytes: int, on_result=None
) -> ChunkResult:
    """Process every chunk (in this process or a fork pool) and merge the results; each chunk's
    result is also handed to ``on_result`` (the per-chunk writer) as it arrives."""
    chunks = chunk_plan(path, target_bytes=target_bytes)
    total = ChunkResult()
    if workers <= 1:
        _init(fmt)
        results = (_work(c) for c in chunks)
        for res in results:
            if on_result:
                on_result(res)
            total.merge(res)
        return total
    ctx = mp.get_context("fork")
    with ctx.Pool(workers, initializer=_init, initargs=(fmt,)) as pool:
        for res in pool.imap_unordered(_work, chunks):
            if on_result:
                on_result(res)
            total.merge(res)
    return total


def snapshot(result: ChunkResult) -> list[tuple]:
    """Immutable rows of one chunk (merging later mutates the aggregates in place)."""
    return [
        (subject, identity, day, a.requests, a.bytes_up, a.bytes_down, a.first, a.last)
        for (subject, identity, day), a in result.rollups.items()
    ]


class ChunkWriter:
    """Per-chunk rollup upserts on a background thread, as each Celery chunk task does in the
    app's ingest: Postgres works while the next chunks are parsed. Django is set up there too."""

    def __init__(self, write) -> None:
        self.q: queue.Queue = queue.Queue(maxsize=2)  # back-pressure keeps memory flat
        self.rows = 0
        self.error: BaseException | None = None
        self.write = write
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            django_setup()
        except BaseException as exc:  # noqa: BLE001 - re-raised in close()
            self.error = exc
        while (item := self.q.get()) is not None:
            if self.error is None:
                try:
                    self.rows += self.write(item)
                except BaseException as exc:  # noqa: BLE001 - re-raised in close()
                    self.error = exc
        from django.db import connection

        connection.close()

    def put(self, result: ChunkResult) -> None:
        self.q.put(snapshot(result))

    def close(self) -> int:
        self.q.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.rows


def persist_dd(rows: list[tuple]) -> int:
    """The app's bulk upsert (COPY into a temp table + INSERT .. ON CONFLICT) in one transaction."""
    django_setup()
    from django.db import transaction

    from discovery.services.rollups import RollupRow, rollup_upsert

    out = []
    for subject, identity, day, req, up, down, first, last in rows:
        app, host = ("", subject[5:]) if subject.startswith("host:") else (subject, "")
        out.append(
            RollupRow(app, host, identity, "", _date(day), req, up, down, _utc(first), _utc(last))
        )
    with transaction.atomic():
        return rollup_upsert(rows=out)


def _utc(ts: float):
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, tz=dt.UTC)


def django_setup() -> None:
    """Load Django once (about 1 s of CPU: every app's models and signals)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def persist_copy(result: ChunkResult, dsn: str) -> int:
    """Own table, psycopg COPY; used when the project schema is not available."""
    import psycopg

    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {BENCH_TABLE} (subject text, identity text, day date, "
            "requests bigint, bytes_up bigint, bytes_down bigint, first_seen timestamptz, "
            "last_seen timestamptz, PRIMARY KEY (subject, identity, day))"
        )
        with cur.copy(
            f"COPY {BENCH_TABLE} (subject, identity, day, requests, bytes_up, bytes_down, "
            "first_seen, last_seen) FROM STDIN"
        ) as copy:
            for (subject, identity, day), agg in result.rollups.items():
                copy.write_row(
                    (
                        subject,
                        identity,
                        day,
                        agg.requests,
                        agg.bytes_up,
                        agg.bytes_down,
                        agg.first_ts,
                        agg.last_ts,
                    )
                )
        return len(result.rollups)


def _date(day: str):
    import datetime as dt

    return dt.date.fromisoformat(day)


def summarise(result: ChunkResult) -> dict:
    """Per app (or host:...) hits and distinct identities, from the rollups."""
    apps: dict[str, dict] = {}
    people: dict[str, set] = {}
    for (subject, identity, _day), agg in result.rollups.items():
        a = apps.setdefault(subject, {"hits": 0, "users": 0})
        a["hits"] += agg.requests
        people.setdefault(subject, set()).add(identity)
    for k, s in people.items():
        apps[k]["users"] = len(s)
    return apps


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("path")
    ap.add_argument("--fmt", required=True)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--persist", choices=("dd", "copy", "none"), default="dd")
    ap.add_argument("--detect", action="store_true", help="run every LLMjacking rule")
    ap.add_argument("--chunk-mb", type=int, default=64)
    args = ap.parse_args()
    t0 = time.perf_counter()
    writer = ChunkWriter(persist_dd) if args.persist == "dd" else None
    result = run_pipeline(
        args.path, args.fmt, args.workers, args.chunk_mb << 20, writer.put if writer else None
    )
    t_pipe = time.perf_counter()
    detections = []
    if args.detect:
        detections = llmjacking.detect(result.cloud_events, allowlist=set(), history=None)
    t_detect = time.perf_counter()
    rows = 0
    if writer:
        rows = writer.close()  # waits for the last chunks' upserts
    elif args.persist == "copy":
        rows = persist_copy(result, os.environ.get("DATABASE_URL", DEFAULT_DB))
    t_end = time.perf_counter()
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = {
        "lines_read": result.lines_read,
        "parsed": result.parsed,
        "matched": result.matched,
        "prefiltered": result.prefiltered,
        "skipped": result.skipped,
        "rollup_rows": rows or len(result.rollups),
        "cloud_events": len(result.cloud_events),
        "detections": sorted({(d.rule_id, d.principal) for d in detections}),
        "apps": summarise(result),
        "t_pipeline": t_pipe - t0,
        "t_detect": t_detect - t_pipe,
        "t_persist": t_end - t_detect,
        "t_total_inprocess": t_end - t0,
        "peak_rss_mb": max(self_kb, kids_kb) / 1024,
        "rss_parent_mb": self_kb / 1024,
        "rss_worker_mb": kids_kb / 1024,
    }
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
