"""Ingest runs: rollups, idempotency by sha256, chunked processing and retry without double counting."""

import datetime as dt
import os

import pytest
from django.db.models import Sum

from core.models import AuditEntry
from discovery.models import DiscoveredApp, IngestChunk, IngestRun, UsageRollup
from discovery.services import (
    ingest_chunk_process,
    ingest_run_create,
    ingest_run_execute,
    ingest_run_plan,
    ingest_run_retry,
)
from tests.discovery.conftest import CLOUDTRAIL, SQUID, ZEEK
from tests.discovery.totals import pipeline_requests, rollup_requests


def test_squid_ingest_rolls_up_per_app_identity_and_day(ingest):
    run = ingest(SQUID)
    assert run.status == IngestRun.Status.DONE
    assert run.format == "squid"
    assert run.lines_read == 1887
    assert run.lines_skipped == 2 and run.skip_counts == {"malformed": 2}
    assert rollup_requests() == pipeline_requests(SQUID, "squid")
    # Never one row per line: far fewer rollup rows than matched lines.
    assert UsageRollup.objects.count() < run.lines_matched / 3
    assert run.duration_seconds is not None and run.bytes_done == run.bytes_total == run.size


def test_identity_mapping_resolves_ip_to_person_and_team(ingest, officer):
    from discovery.services.sources import identity_mapping_import

    with open(SQUID.parent / "identity-mapping.csv", "rb") as fh:
        identity_mapping_import(actor=officer, fileobj=fh)
    ingest(ZEEK)
    row = UsageRollup.objects.filter(app_key="perplexity").order_by("identity").first()
    assert row.identity.endswith("@example.com")
    assert row.team in {"Legal", "Engineering"}


def test_pseudonymised_source_hides_names_but_counts_people(ingest, admin_user):
    from discovery.services.sources import log_source_create

    source = log_source_create(
        actor=admin_user, data={"name": "Private proxy", "kind": "proxy", "pseudonymise": True}
    )
    ingest(SQUID, source=source)
    identities = set(
        UsageRollup.objects.filter(app_key="chatgpt").values_list("identity", flat=True)
    )
    assert len(identities) == 3  # alice, bob, carol
    assert all(i.startswith("u~") and "alice" not in i for i in identities)


def test_reingesting_the_same_file_adds_nothing(ingest, copy_of):
    first = ingest(SQUID)
    before = rollup_requests()
    again = ingest(copy_of(SQUID, name="renamed.log"))
    assert again.pk == first.pk
    assert IngestRun.objects.count() == 1
    assert rollup_requests() == before


def test_two_different_files_add_up(ingest, copy_of):
    ingest(SQUID)
    extra = "1794300000.000    100 192.0.2.10 TCP_TUNNEL/200 500 CONNECT chatgpt.com:443 alice HIER_DIRECT/198.51.100.20 -\n"
    ingest(copy_of(SQUID, prepend=extra))
    assert rollup_requests()["chatgpt"] == 2 * pipeline_requests(SQUID, "squid")["chatgpt"] + 1


def test_cloudtrail_gz_counts_bedrock_use(ingest):
    run = ingest(CLOUDTRAIL)
    assert run.format == "cloudtrail"
    assert run.status == IngestRun.Status.DONE
    assert (
        UsageRollup.objects.filter(app_key="amazon-bedrock").aggregate(n=Sum("requests"))["n"] == 12
    )


def test_chunks_split_the_file_and_merge_to_the_same_totals(ingest, settings):
    settings.SIGHTLINE_INGEST_CHUNK_BYTES = 16 * 1024
    run = ingest(SQUID)
    assert run.chunks_total > 5
    assert IngestChunk.objects.filter(run=run, status="done").count() == run.chunks_total
    assert rollup_requests() == pipeline_requests(SQUID, "squid")
    assert run.lines_read == 1887 and run.skip_counts == {"malformed": 2}


def test_rerunning_a_done_chunk_never_double_counts(ingest, settings):
    settings.SIGHTLINE_INGEST_CHUNK_BYTES = 16 * 1024
    run = ingest(SQUID)
    before = rollup_requests()
    for index in range(run.chunks_total):
        ingest_chunk_process(run_id=run.pk, index=index)  # a redelivered task
    assert rollup_requests() == before


def test_failed_run_retry_finishes_without_double_counting(catalog, settings, copy_of):
    settings.SIGHTLINE_INGEST_CHUNK_BYTES = 16 * 1024
    path = copy_of(SQUID)
    run, _ = ingest_run_create(path=path, actor="test")
    indexes = ingest_run_plan(run_id=run.pk)
    assert len(indexes) > 3
    ingest_chunk_process(run_id=run.pk, index=indexes[0])
    ingest_chunk_process(run_id=run.pk, index=indexes[1])
    # The file disappears mid-run (unmounted share): the next chunk fails and so does the run.
    hidden = path.with_suffix(".hidden")
    os.rename(path, hidden)
    ingest_chunk_process(run_id=run.pk, index=indexes[2])
    run.refresh_from_db()
    assert run.status == IngestRun.Status.FAILED
    assert "Could not read" in run.error or "failed" in run.error
    os.rename(hidden, path)
    ingest_run_retry(run=run, actor="test")
    run = ingest_run_execute(run_id=run.pk)
    assert run.status == IngestRun.Status.DONE
    assert rollup_requests() == pipeline_requests(SQUID, "squid")
    assert AuditEntry.objects.filter(action="discovery.ingest.retry").count() == 1


def test_only_a_failed_run_can_be_retried(ingest):
    from django.core.exceptions import ValidationError

    run = ingest(SQUID)
    with pytest.raises(ValidationError):
        ingest_run_retry(run=run, actor="test")


def test_first_sighting_is_recorded_per_app(ingest):
    run = ingest(SQUID)
    app = DiscoveredApp.objects.get(app_key="claude")
    assert app.first_run_id == run.pk
    assert app.first_seen < app.last_seen
    # A heuristic ("possible AI") host is a review item, not a discovered app, until confirmed.
    assert not DiscoveredApp.objects.filter(host="llm-gw.partner.example.net").exists()


def test_ingest_command_reports_and_skips_known_files(catalog, capsys):
    from django.core.management import call_command

    call_command("ingest", str(SQUID), "--sync")
    call_command("ingest", str(SQUID), "--sync")
    out = capsys.readouterr().out
    assert "Run #" in out and "matched" in out
    assert "already ingested" in out
    assert IngestRun.objects.count() == 1


def test_ingest_command_fails_clearly_on_a_binary_file(catalog, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "blob.log"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(CommandError, match="could not be ingested"):
        call_command("ingest", str(path), "--sync")
    assert IngestRun.objects.count() == 0


def test_identity_mapping_is_chosen_by_event_time_not_the_file_time(ingest, copy_of):
    """The file was last written in June, its events are of November: November's team counts."""
    from discovery.models import IdentityMapping

    path = copy_of(SQUID)
    then = dt.datetime(2026, 6, 1, tzinfo=dt.UTC).timestamp()
    os.utime(path, (then, then))
    IdentityMapping.objects.create(
        kind="user",
        identifier="gina",
        person="gina@example.com",
        team="Marketing",
        valid_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        valid_to=dt.datetime(2026, 6, 30, tzinfo=dt.UTC),
    )
    IdentityMapping.objects.create(
        kind="user",
        identifier="gina",
        person="gina@example.com",
        team="Sales",
        valid_from=dt.datetime(2026, 7, 1, tzinfo=dt.UTC),
    )
    ingest(path)
    who = set(UsageRollup.objects.filter(app_key="deepseek").values_list("identity", "team"))
    assert who == {("gina@example.com", "Sales")}


def test_apps_are_locked_in_one_order_whatever_the_chunk_saw_first(catalog):
    """Two chunks merging at once lock the same apps; a fixed (sorted) order cannot deadlock."""
    from discovery.services.chunks import app_sightings_touch

    run, _ = ingest_run_create(path=SQUID, actor="test")
    seen = {"first": 1_790_000_000, "last": 1_790_000_060}
    subjects = {"zeta-ai": seen, "host:b.example": seen, "alpha-ai": seen, "host:a.example": seen}
    # Unknown hosts are touched only once an officer confirmed them (b.example here).
    DiscoveredApp.objects.create(host="b.example", name="b.example")
    app_sightings_touch(run=run, subjects=subjects, names={})
    created = list(DiscoveredApp.objects.order_by("pk").values_list("app_key", "host"))
    assert created == [("", "b.example"), ("alpha-ai", ""), ("zeta-ai", "")]
    assert DiscoveredApp.objects.get(host="b.example").first_run == run
