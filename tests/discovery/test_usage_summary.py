"""The discovered-AI totals come from per-app summaries; they must equal summing every rollup."""

import datetime as dt
import os
import random
import threading
import time

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Max, Min, Q, Sum
from django.urls import reverse

from discovery.models import AppIdentity, AppUsageDay, AppUsageTotal, UsageRollup
from discovery.selectors import discovered_app_rows
from discovery.services import (
    ingest_chunk_process,
    ingest_run_create,
    ingest_run_execute,
    ingest_run_plan,
    ingest_run_retry,
)
from discovery.services.rollups import RollupRow, rollup_upsert, usage_summary_rebuild
from tests.conftest import PASSWORD
from tests.discovery.conftest import CLOUDTRAIL, SQUID, ZEEK

FIELDS = ("requests", "bytes_up", "bytes_down", "users", "first_seen", "last_seen")


def rollup_sums(since: dt.date | None = None) -> dict[tuple[str, str], dict]:
    """Ground truth: a direct SUM over every rollup, as the page computed it before summaries."""
    rollups = UsageRollup.objects.all()
    if since:
        rollups = rollups.filter(day__gte=since)
    rows = rollups.values("app_key", "host").annotate(
        requests=Sum("requests"),
        bytes_up=Sum("bytes_up"),
        bytes_down=Sum("bytes_down"),
        users=Count("identity", distinct=True, filter=~Q(identity="")),
        first_seen=Min("first_seen"),
        last_seen=Max("last_seen"),
    )
    return {(r["app_key"], r["host"]): {f: r[f] for f in FIELDS} for r in rows}


def shown(rows: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["app_key"], r["host"]): {f: r[f] for f in FIELDS} for r in rows}


def selector_totals(since: dt.date | None = None) -> dict[tuple[str, str], dict]:
    return shown(discovered_app_rows(filters={"since": since.isoformat()} if since else {}))


def assert_summary_matches_rollups() -> None:
    """All-time and for every 'since' day that changes the answer."""
    assert selector_totals() == rollup_sums()
    days = sorted(set(UsageRollup.objects.values_list("day", flat=True)))
    for since in days[1:]:
        assert selector_totals(since) == rollup_sums(since), since


def test_totals_equal_rollup_sums_after_chunked_ingest_of_every_format(ingest, settings, copy_of):
    settings.SIGHTLINE_INGEST_CHUNK_BYTES = 16 * 1024
    for path in (SQUID, ZEEK, CLOUDTRAIL):
        ingest(path)
    users = {key: row["users"] for key, row in selector_totals().items()}
    # The same people again in another file (and in many chunks): counted once per app.
    extra = "1794300000.000    100 192.0.2.10 TCP_TUNNEL/200 500 CONNECT chatgpt.com:443 alice HIER_DIRECT/198.51.100.20 -\n"
    ingest(copy_of(SQUID, append=extra))
    assert {key: row["users"] for key, row in selector_totals().items()} == users
    sums = rollup_sums()
    assert len(sums) > 5 and sum(r["requests"] for r in sums.values()) > 500
    assert_summary_matches_rollups()
    # The summaries are far smaller than the rollups they stand for.
    assert AppUsageDay.objects.count() < UsageRollup.objects.count()
    assert AppUsageTotal.objects.count() == len(sums)


def test_totals_stay_exact_after_a_failed_chunk_a_retry_and_redelivered_chunks(
    catalog, settings, copy_of
):
    settings.SIGHTLINE_INGEST_CHUNK_BYTES = 16 * 1024
    path = copy_of(SQUID)
    run, _ = ingest_run_create(path=path, actor="test")
    indexes = ingest_run_plan(run_id=run.pk)
    ingest_chunk_process(run_id=run.pk, index=indexes[0])
    ingest_chunk_process(run_id=run.pk, index=indexes[1])
    hidden = path.with_suffix(".hidden")
    os.rename(path, hidden)  # the share goes away: the next chunk fails, and so does the run
    ingest_chunk_process(run_id=run.pk, index=indexes[2])
    run.refresh_from_db()
    assert run.status == "failed"
    assert_summary_matches_rollups()  # the failed chunk merged nothing, in either table
    os.rename(hidden, path)
    ingest_run_retry(run=run, actor="test")
    run = ingest_run_execute(run_id=run.pk)
    assert run.status == "done"
    after_retry = selector_totals()
    assert after_retry == rollup_sums()
    for index in indexes:
        ingest_chunk_process(run_id=run.pk, index=index)  # redelivered tasks add nothing
    assert selector_totals() == after_retry
    assert_summary_matches_rollups()


def test_discovered_ai_page_shows_the_rollup_sums(ingest, client, officer):
    ingest(SQUID)
    ingest(ZEEK)
    client.login(username=officer.username, password=PASSWORD)
    page = client.get(reverse("discovery:app-list"))
    assert shown(page.context["rows"]) == rollup_sums()
    since = max(UsageRollup.objects.values_list("day", flat=True))
    filtered = client.get(reverse("discovery:app-list"), {"since": since.isoformat()})
    assert shown(filtered.context["rows"]) == rollup_sums(since)


def test_rebuild_recomputes_summaries_for_rollups_written_around_the_merge(ingest):
    ingest(SQUID)
    row = UsageRollup.objects.filter(identity__gt="").first()
    UsageRollup.objects.create(
        app_key=row.app_key,
        host=row.host,
        identity="bulk-loaded@example.com",
        day=row.day + dt.timedelta(days=30),
        requests=7,
        bytes_up=1,
        bytes_down=2,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
    )
    assert selector_totals() != rollup_sums()
    usage_summary_rebuild()
    assert_summary_matches_rollups()


@pytest.mark.django_db(transaction=True)
def test_migration_backfills_summaries_from_existing_rollups():
    executor = MigrationExecutor(connection)
    executor.migrate([("discovery", "0004_usage_summary")])  # before the backfills
    now = dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC)
    UsageRollup.objects.bulk_create(
        UsageRollup(
            app_key=app,
            host=host,
            identity=ident,
            team="",
            day=dt.date(2026, 11, d),
            requests=r,
            bytes_up=r * 10,
            bytes_down=r * 100,
            first_seen=now + dt.timedelta(days=d, minutes=r),
            last_seen=now + dt.timedelta(days=d, hours=r),
        )
        for app, host, ident, d, r in [
            ("chatgpt", "", "alice", 1, 3),
            ("chatgpt", "", "alice", 2, 5),
            ("chatgpt", "", "bob", 2, 1),
            ("chatgpt", "", "", 3, 9),
            ("", "llm.example.net", "carol", 1, 4),
            ("", "llm.example.net", "", 4, 2),
        ]
    )
    assert not AppUsageDay.objects.exists() and not AppIdentity.objects.exists()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # Every app's leaf: going back to 0004 also unapplied the apps that depend on discovery
    # (programme), and later tests need their tables.
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert AppUsageDay.objects.count() == 5 and AppIdentity.objects.count() == 3
    assert AppUsageTotal.objects.count() == 2
    assert selector_totals()[("chatgpt", "")]["users"] == 2
    assert_summary_matches_rollups()


@pytest.mark.django_db(transaction=True)
def test_concurrent_chunk_merges_count_each_new_user_once_and_never_deadlock():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the concurrent merge needs PostgreSQL.")
    threads, rounds, errors = 6, 8, []
    barrier = threading.Barrier(threads)
    start = dt.datetime(2026, 11, 2, 8, tzinfo=dt.UTC)

    def chunk(n: int) -> None:
        rng = random.Random(n)
        try:
            for r in range(rounds):
                # Every worker sees the same new people in the same round, like chunks of one log.
                # Odd rounds: each worker's own days (chunks of one log cover different hours), so
                # only the identity and total rows are shared; even rounds share every row.
                first_day = dt.date(2026, 11, 1) + dt.timedelta(days=3 * n if r % 2 else 0)
                rows = [
                    RollupRow(
                        app,
                        "",
                        f"r{r}-u{k}@example.com",
                        "",
                        first_day + dt.timedelta(days=d),
                        rng.randint(1, 50),
                        n,
                        r,
                        start + dt.timedelta(minutes=n + r),
                        start + dt.timedelta(hours=1 + d),
                    )
                    for app in ("chatgpt", "claude", "gemini")
                    for k in range(4)
                    for d in range(3)
                    if rng.random() < 0.7
                ]
                rng.shuffle(rows)
                barrier.wait()
                with transaction.atomic():
                    rollup_upsert(rows=rows)
                    time.sleep(0.01)  # the rest of the chunk's transaction (apps, progress)
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)
            barrier.abort()
        finally:
            connection.close()

    workers = [threading.Thread(target=chunk, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    assert_summary_matches_rollups()
    assert sum(r["users"] for r in selector_totals().values()) == AppIdentity.objects.count()
