"""The batch's one write: rollups as COPY text, on SQLite and PostgreSQL alike."""

import base64
import datetime as dt
import zlib

import orjson
from django.db import transaction

from discovery.models import (
    AppIdentity,
    AppUsageDay,
    AppUsageTotal,
    IngestChunk,
    IngestPart,
    UsageRollup,
)
from discovery.services import (
    ingest_chunk_run,
    ingest_part_write,
    ingest_run_create,
    ingest_run_execute,
    ingest_run_plan,
    ingest_run_retry,
)
from discovery.services.chunks import ROLLUP_COPY, ROLLUP_ROWS, chunk_packs
from discovery.services.rollups import rollup_line, rollups_write
from tests.discovery.conftest import SQUID
from tests.discovery.test_usage_summary import assert_summary_matches_rollups
from tests.discovery.totals import pipeline_requests, rollup_requests


def _stored() -> set[tuple]:
    return set(
        UsageRollup.objects.values_list(
            "app_key", "host", "identity", "team", "day", "requests", "bytes_up", "bytes_down",
            "first_seen", "last_seen",
        )
    )  # fmt: skip


def test_keys_with_copy_special_characters_are_stored_as_they_were(db):
    ident = "dom\\ain\tuser\nx\r\x00y"
    first = dt.datetime(2026, 11, 3, 8, 15, 30, 123456, tzinfo=dt.UTC)
    last = dt.datetime(2026, 11, 3, 9, 0, 0, 654321, tzinfo=dt.UTC)
    day = "2026-11-03"
    pack = rollup_line(
        "chatgpt", "", ident, "r&d\\team", day, 2, 10, 20, first.timestamp(), first.timestamp()
    )
    again = rollup_line("chatgpt", "", ident, "", day, 3, 1, 2, last.timestamp(), last.timestamp())
    with transaction.atomic():
        assert rollups_write(packs=[pack, again]) == 1  # one key in two chunks: added up
    row = UsageRollup.objects.get()
    assert row.identity == "dom\\ain\tuser\nx\r\ufffdy"  # NUL cannot be stored in PostgreSQL text
    assert (row.team, row.requests, row.bytes_up, row.bytes_down) == ("r&d\\team", 5, 11, 22)
    assert (row.first_seen, row.last_seen) == (first, last)  # microseconds survive
    assert_summary_matches_rollups()


def _as_json_rows(packed: str) -> str:
    """A chunk's COPY-text rollups in the earlier format: JSON rows of (subject, identity, day,
    requests, bytes up, bytes down, first, last), zlib-compressed and base64-encoded."""
    rows = []
    for line in _unpacked(packed).split("\n"):
        if line:
            app_key, host, identity, _team, day, req, up, down, first, last = line.split("\t")
            subject = app_key or f"host:{host}"
            rows.append(
                [subject, identity, day, int(req), int(up), int(down), float(first), float(last)]
            )
    return base64.b64encode(zlib.compress(orjson.dumps(rows))).decode()


def _unpacked(packed: str) -> str:
    return zlib.decompress(base64.b64decode(packed)).decode()


def _whole(chunk: IngestChunk) -> str:
    """The chunk's rollups of every part, packed as one COPY text (the format before parts)."""
    text = "".join(_unpacked(p) for p in chunk.packs if p)
    return base64.b64encode(zlib.compress(text.encode())).decode()


def _rewrite_all(run) -> None:
    for model in (UsageRollup, AppUsageDay, AppIdentity, AppUsageTotal):
        model.objects.all().delete()
    with transaction.atomic():
        for part in range(run.write_parts):
            rollups_write(packs=chunk_packs(run, part))


def test_chunks_stored_before_parts_write_the_same_rollups(catalog, settings, copy_of):
    """A run whose chunks were stored in an earlier format (retried after an upgrade): one COPY
    text per chunk, or JSON rows before that; each part picks out its identities' rows."""
    settings.SIGHTLINE_INGEST_CHUNK_BYTES = 16 * 1024
    run, _ = ingest_run_create(path=copy_of(SQUID), actor="test")
    run = ingest_run_execute(run_id=run.pk, processes=1)
    assert run.status == "done"
    expected = _stored()
    chunks = list(IngestChunk.objects.filter(run=run))
    assert len(chunks) > 1 and run.write_parts > 1
    assert all(len(c.packs) == run.write_parts for c in chunks)
    for chunk in chunks:
        IngestChunk.objects.filter(pk=chunk.pk).update(
            packs=[], results={**chunk.results, ROLLUP_COPY: _whole(chunk)}
        )
    _rewrite_all(run)
    assert _stored() == expected
    assert_summary_matches_rollups()
    for chunk in chunks:
        IngestChunk.objects.filter(pk=chunk.pk).update(
            packs=[], results={**chunk.results, ROLLUP_ROWS: _as_json_rows(_whole(chunk))}
        )
    _rewrite_all(run)
    assert _stored() == expected
    assert_summary_matches_rollups()


def test_parts_hold_disjoint_identities_and_are_written_once(catalog, settings, copy_of):
    settings.SIGHTLINE_INGEST_CHUNK_BYTES = 16 * 1024
    run, _ = ingest_run_create(path=copy_of(SQUID), actor="test")
    run = ingest_run_execute(run_id=run.pk, processes=1)
    owners: dict[str, set[int]] = {}
    for part in range(run.write_parts):
        for text in chunk_packs(run, part):
            for line in text.splitlines():
                owners.setdefault(line.split("\t")[2], set()).add(part)
    assert len(owners) > 3 and all(len(parts) == 1 for parts in owners.values())
    assert len({p for parts in owners.values() for p in parts}) > 1  # the rows are spread
    parts = list(IngestPart.objects.filter(run=run).order_by("index").values_list("status", "rows"))
    # The rollup parts, then the LLMjacking part (no CloudTrail events here: no findings).
    assert len(parts) == run.write_parts + 1 and all(status == "done" for status, _ in parts)
    assert sum(rows for _, rows in parts[:-1]) == UsageRollup.objects.count()
    assert parts[-1] == ("done", 0)
    before = _stored()
    assert not ingest_part_write(run_id=run.pk, index=0)  # a redelivered part adds nothing
    assert _stored() == before


def test_a_part_that_cannot_be_written_fails_the_run_with_a_retry(catalog, settings, copy_of):
    """A chunk's stored rollups are damaged (a disk or a hand edit): the sync run ends failed
    with the reason, not with a traceback and a run left running; repaired, the retry writes
    the parts still owed and the totals are exact."""
    settings.SIGHTLINE_INGEST_CHUNK_BYTES = 16 * 1024
    run, _ = ingest_run_create(path=copy_of(SQUID), actor="test")
    expected = pipeline_requests(SQUID, "squid")
    indexes = ingest_run_plan(run_id=run.pk)
    for index in indexes:
        ingest_chunk_run(run_id=run.pk, index=index)
    chunk = IngestChunk.objects.filter(run=run).order_by("index").first()
    good = list(chunk.packs)
    IngestChunk.objects.filter(pk=chunk.pk).update(packs=["not base64!"] * len(good))
    run = ingest_run_execute(run_id=run.pk, processes=1)
    assert run.status == "failed" and run.error.startswith("Writing failed:"), run.error
    assert not run.finalised
    assert IngestPart.objects.filter(run=run, status="done").count() < run.write_parts + 1

    IngestChunk.objects.filter(pk=chunk.pk).update(packs=good)
    ingest_run_retry(run=run, actor="test")
    run = ingest_run_execute(run_id=run.pk, processes=1)
    assert run.status == "done"
    assert rollup_requests() == expected
    assert_summary_matches_rollups()
