"""Ingest batches (issue 13 §1-§3): a run that understood nothing needs attention, content is
counted once (gzip or plain, grown or rotated, CloudTrail events by eventID), and a folder, a
multi-file upload, a watched-folder poll or a .zip is one run whose rules run once."""

import gzip
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse

from discovery.models import (
    CloudEventSeen,
    Finding,
    IngestChunk,
    IngestFile,
    IngestRun,
    LogSource,
    UsageRollup,
)
from discovery.services import ingest_batch_create, ingest_chunk_process, ingest_run_execute
from discovery.services.runs import attention_message
from tests.conftest import PASSWORD
from tests.core.test_audit import writers_run
from tests.discovery.conftest import CLOUDTRAIL, SQUID, ZEEK

SHAPES = Path(__file__).parent / "real_shapes"
ZEEK_DNS = SHAPES / "zeek" / "dns.log"
BEDROCK_INVOCATIONS = 12  # successful InvokeModel calls in the demo CloudTrail file


def requests(app_key: str) -> int:
    return UsageRollup.objects.filter(app_key=app_key).aggregate(n=Sum("requests"))["n"] or 0


def batch(paths, **kwargs) -> IngestRun:
    """Registers the paths as one batch and processes it here."""
    result = ingest_batch_create(
        files=[(Path(p), Path(p).name) for p in paths], actor="test", **kwargs
    )
    assert result.created
    return ingest_run_execute(run_id=result.run.pk)


def squid_lines(start: int, n: int, host: str = "claude.ai", user: str = "alice") -> str:
    return "".join(
        f"{1794300000 + start + i}.000    100 192.0.2.10 TCP_TUNNEL/200 500 CONNECT "
        f"{host}:443 {user} HIER_DIRECT/198.51.100.20 -\n"
        for i in range(n)
    )


def gz(path: Path, data: bytes) -> Path:
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write(data)
    return path


# §1 a run that understood nothing is not "Done" ------------------------------------------------


def test_attention_message_names_counts_reason_and_the_detected_format():
    assert (
        attention_message(
            fmt="cloudtrail",
            detected="zeek_dns",
            parsed=0,
            skipped=679,
            skip_counts={"bad_json": 679},
        )
        == "0 of 679 lines parsed as AWS CloudTrail: bad JSON; did you mean Zeek dns.log?"
    )
    # at most half skipped is understood; more than half is not
    kw = {"fmt": "squid", "detected": "squid", "skip_counts": {"malformed": 5}}
    assert attention_message(parsed=5, skipped=5, **kw) == ""
    assert attention_message(parsed=4, skipped=5, **kw) == (
        "4 of 9 lines parsed as Squid native: the lines do not have this format's shape."
    )
    assert attention_message(fmt="squid", detected="", parsed=0, skipped=0, skip_counts={})


def test_forcing_the_wrong_format_needs_attention_and_does_not_consume_the_file(ingest, tmp_path):
    path = tmp_path / "dns.log"
    shutil.copyfile(ZEEK_DNS, path)
    wrong = ingest(path, fmt="cloudtrail")
    assert wrong.status == IngestRun.Status.NEEDS_ATTENTION
    assert wrong.lines_parsed == 0 and wrong.lines_skipped > 0
    assert wrong.attention.startswith(f"dns.log: 0 of {wrong.lines_skipped} lines parsed as AWS")
    assert wrong.attention.endswith("did you mean Zeek dns.log?")
    f = wrong.files.get()
    assert (f.status, f.format, f.format_detected) == ("needs_attention", "cloudtrail", "zeek_dns")
    # the same content in the same (wrong) format is that run again; another format counts
    assert ingest(path, fmt="cloudtrail").pk == wrong.pk
    right = ingest(path)
    assert right.pk != wrong.pk
    assert right.status == IngestRun.Status.DONE and right.format == "zeek_dns"
    assert right.lines_parsed > 0 and right.attention == ""


def test_a_file_with_no_record_at_all_needs_attention(ingest, tmp_path):
    path = tmp_path / "umbrella.csv"
    shutil.copyfile(SHAPES / "umbrella" / "dns.csv", path)
    run = ingest(path, fmt="squid")
    assert run.status == IngestRun.Status.NEEDS_ATTENTION
    assert run.lines_parsed == 0
    assert "parsed as Squid native" in run.attention
    assert "did you mean Cisco Umbrella DNS (CSV)?" in run.attention


def test_cli_exits_non_zero_and_prints_why(catalog, tmp_path, capsys):
    path = tmp_path / "dns.log"
    shutil.copyfile(ZEEK_DNS, path)
    with pytest.raises(CommandError, match="needs attention") as err:
        call_command("ingest", str(path), "--sync", "--format", "cloudtrail")
    assert "did you mean Zeek dns.log?" in str(err.value)
    assert "did you mean Zeek dns.log?" in capsys.readouterr().out  # the file line says it too
    call_command("ingest", str(path), "--sync")  # the right format is not a duplicate: exit 0
    assert IngestRun.objects.filter(status="done", format="zeek_dns").count() == 1


def test_api_and_run_page_show_the_state_and_the_message(client, officer, ingest, tmp_path):
    path = tmp_path / "dns.log"
    shutil.copyfile(ZEEK_DNS, path)
    run = ingest(path, fmt="cloudtrail")
    client.login(username=officer.username, password=PASSWORD)
    api = client.get(reverse("discovery-api-run-detail", kwargs={"pk": run.pk})).json()
    assert api["status"] == "needs_attention" and "did you mean Zeek dns.log?" in api["attention"]
    [f] = api["files"]
    assert (f["status"], f["format_detected"], f["lines_parsed"]) == (
        "needs_attention",
        "zeek_dns",
        0,
    )
    listed = client.get(reverse("discovery-api-run-list"), {"status": "needs_attention"}).json()
    assert [r["id"] for r in listed["results"]] == [run.pk]
    body = client.get(reverse("discovery:run-detail", kwargs={"pk": run.pk})).content.decode()
    assert "Needs attention" in body and 'id="run-attention"' in body
    assert "did you mean Zeek dns.log?" in body
    progress = client.get(reverse("discovery:run-progress", kwargs={"pk": run.pk}))
    assert progress.status_code == 286  # finished: polling stops


# §2 the same events are never counted twice ---------------------------------------------------


def test_the_same_content_gzipped_or_plain_counts_once(ingest, tmp_path):
    plain = ingest(SQUID)
    before = requests("claude")
    again = ingest(gz(tmp_path / "access.log.gz", SQUID.read_bytes()))
    assert again.pk == plain.pk
    assert requests("claude") == before
    f = plain.files.get()
    assert f.content_sha256 != "" and f.content_length == SQUID.stat().st_size


def test_a_log_that_grew_and_its_rotated_copies_count_only_the_new_lines(ingest, tmp_path):
    log = tmp_path / "access.log"
    log.write_text(squid_lines(0, 40))
    first = ingest(log)
    assert requests("claude") == 40
    log.write_text(squid_lines(0, 40) + squid_lines(100, 7))  # the same file, grown
    grown = ingest(log)
    assert grown.pk != first.pk and grown.status == "done"
    assert requests("claude") == 47
    f = grown.files.get()
    assert f.offset == len(squid_lines(0, 40)) and f.prefix_of.run_id == first.pk
    assert (f.lines_read, f.lines_parsed) == (7, 7)
    # rotation: access.log -> access.log.1 (same content) -> access.log.2.gz
    rotated = tmp_path / "access.log.1"
    shutil.copyfile(log, rotated)
    assert ingest(rotated).pk == grown.pk
    assert ingest(gz(tmp_path / "access.log.2.gz", log.read_bytes())).pk == grown.pk
    assert requests("claude") == 47
    # a gzip whose content grew once more: only its tail counts, read past the known part
    bigger = gz(tmp_path / "access.log.3.gz", log.read_bytes() + squid_lines(200, 3).encode())
    tail = ingest(bigger)
    assert tail.status == "done" and tail.files.get().offset == log.stat().st_size
    assert requests("claude") == 50 and tail.lines_parsed == 3


def test_a_long_log_that_grew_is_found_by_its_head(ingest, tmp_path):
    """Longer than the 64 KB head: the known file is found by the head hash, then checked whole."""
    log = tmp_path / "access.log"
    body = squid_lines(0, 1500)
    assert len(body) > 64 * 1024
    log.write_text(body)
    ingest(log)
    log.write_text(body + squid_lines(5000, 9, user="bob"))
    grown = ingest(log)
    assert grown.lines_parsed == 9 and requests("claude") == 1509


def test_a_different_file_with_the_same_first_lines_is_not_a_tail(ingest, tmp_path):
    a = tmp_path / "a.log"
    a.write_text(squid_lines(0, 10))
    ingest(a)
    b = tmp_path / "b.log"
    b.write_text(squid_lines(0, 9) + squid_lines(50, 5))  # shares 9 lines, then differs
    run = ingest(b)
    assert run.files.get().offset == 0 and run.lines_parsed == 14
    assert requests("claude") == 24


def test_a_watched_folder_ingests_a_growing_file_by_offset(catalog, eager, settings, tmp_path):
    from discovery.tasks import watched_folders_poll

    settings.SIGHTLINE_WATCH_ROOTS = [str(tmp_path)]
    log = tmp_path / "access.log"

    def write(text: str) -> None:
        log.write_text(text)
        past = time.time() - 60
        os.utime(log, (past, past))

    LogSource.objects.create(name="Proxy", kind="proxy", watch_path=str(tmp_path))
    write(squid_lines(0, 20))
    assert watched_folders_poll() == 1
    assert watched_folders_poll() == 0  # same path and size: not even read again
    write(squid_lines(0, 20) + squid_lines(100, 5))
    assert watched_folders_poll() == 1
    write(squid_lines(0, 20) + squid_lines(100, 5) + squid_lines(200, 2))
    assert watched_folders_poll() == 1
    assert requests("claude") == 27
    offsets = list(IngestFile.objects.order_by("pk").values_list("offset", "lines_parsed"))
    grown_once = len(squid_lines(0, 20) + squid_lines(100, 5))
    assert offsets == [(0, 20), (len(squid_lines(0, 20)), 5), (grown_once, 2)]


def _demo_events() -> list[dict]:
    return json.loads(gzip.decompress(CLOUDTRAIL.read_bytes()))["Records"]


def test_cloudtrail_events_count_once_across_s3_json_lines_and_lookup_events(ingest, tmp_path):
    events = _demo_events()
    lines = tmp_path / "export.jsonl"
    lines.write_text("".join(json.dumps(e) + "\n" for e in events))
    lookup = tmp_path / "lookup.json"
    lookup.write_text(
        json.dumps(
            {
                "Events": [
                    {
                        "EventId": e["eventID"],
                        "EventName": e["eventName"],
                        "CloudTrailEvent": json.dumps(e),
                    }
                    for e in events
                ]
            },
            indent=2,
        )
    )
    first = ingest(CLOUDTRAIL)
    assert requests("amazon-bedrock") == BEDROCK_INVOCATIONS
    seen = CloudEventSeen.objects.count()
    assert seen > 0
    for path in (lines, lookup):
        run = ingest(path)
        assert run.pk != first.pk and run.format == "cloudtrail"
        assert run.status == IngestRun.Status.DONE
        assert run.events_duplicate == seen and run.lines_matched == 0
        assert run.batch_cloud_events() == []  # the rules see no event twice
    assert requests("amazon-bedrock") == BEDROCK_INVOCATIONS
    assert CloudEventSeen.objects.count() == seen


def test_one_batch_holding_an_event_twice_counts_it_once(catalog, tmp_path):
    events = _demo_events()
    lines = tmp_path / "export.jsonl"
    lines.write_text("".join(json.dumps(e) + "\n" for e in events))
    run = batch([CLOUDTRAIL, lines])
    assert run.status == "done" and run.files_total == 2
    assert requests("amazon-bedrock") == BEDROCK_INVOCATIONS
    assert run.events_duplicate == CloudEventSeen.objects.count()
    # redelivered chunks of the batch change nothing
    for index in range(run.chunks_total):
        ingest_chunk_process(run_id=run.pk, index=index)
    assert requests("amazon-bedrock") == BEDROCK_INVOCATIONS


# §3 one ingest batch ---------------------------------------------------------------------------


def test_a_folder_is_one_run_with_per_file_counts_and_rules_once(catalog, tmp_path, capsys):
    folder = tmp_path / "logs"
    folder.mkdir()
    shutil.copyfile(SQUID, folder / "squid.log")
    (folder / "more.log").write_text(squid_lines(0, 5))
    shutil.copyfile(CLOUDTRAIL, folder / CLOUDTRAIL.name)
    call_command("ingest", str(folder), "--sync")
    run = IngestRun.objects.get()
    assert run.status == "done" and run.files_total == 3 and run.format == "mixed"
    files = {f.file_name.rsplit("/", 1)[-1]: f for f in run.files.all()}
    assert files["squid.log"].lines_read == 1887 and files["more.log"].lines_parsed == 5
    assert files[CLOUDTRAIL.name].format == "cloudtrail"
    assert run.lines_read == sum(f.lines_read for f in files.values())
    assert set(IngestChunk.objects.filter(run=run).values_list("file__file_name", flat=True)) == {
        f.file_name for f in files.values()
    }
    # one rules pass: both files used Claude, one finding raised once (not once per file)
    claude = Finding.objects.get(kind="unsanctioned_use", app_key="claude")
    assert claude.occurrences == 1 and claude.run_id == run.pk
    assert Finding.objects.filter(kind="llmjacking", run=run).exists()
    out = capsys.readouterr().out
    assert "3 file(s)" in out and "more.log" in out


def test_batch_cloud_events_are_in_event_time_order_across_files(catalog, tmp_path):
    events = _demo_events()
    late, early = events[: len(events) // 2], events[len(events) // 2 :]
    a = tmp_path / "a.json"
    a.write_text(json.dumps({"Records": early}))  # the later events come first by file name
    b = tmp_path / "b.json"
    b.write_text(json.dumps({"Records": late}))
    run = batch([a, b])
    times = [e["ts"] for e in run.batch_cloud_events()]
    assert times == sorted(times) and len(times) == CloudEventSeen.objects.count()


def test_a_zip_is_one_run_with_its_members_as_files(ingest, tmp_path, storage_dir):
    archive = tmp_path / "trail.zip"
    events = _demo_events()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("part1.json", json.dumps(events[:10]))
        zf.writestr("part2.json", json.dumps(events[10:]))
        zf.writestr("access.log", SQUID.read_bytes())
    run = ingest(archive)
    assert run.status == "done" and run.files_total == 3
    names = list(run.files.order_by("index").values_list("file_name", "format"))
    assert names == [
        ("trail.zip/access.log", "squid"),
        ("trail.zip/part1.json", "cloudtrail"),
        ("trail.zip/part2.json", "cloudtrail"),
    ]
    assert requests("amazon-bedrock") == BEDROCK_INVOCATIONS
    members = [Path(p) for p in run.files.values_list("path", flat=True)]
    assert all(storage_dir.resolve() in p.parents for p in members)
    assert ingest(archive).pk == run.pk  # the same archive again adds nothing
    assert all(p.is_file() for p in members)  # and leaves the first run's members in place
    assert IngestRun.objects.count() == 1


def test_a_refused_file_in_a_batch_is_named_and_the_rest_counts(catalog, tmp_path):
    blob = tmp_path / "photo.log"
    blob.write_bytes(bytes(range(256)) * 20)
    run = batch([SQUID, blob])
    assert run.status == IngestRun.Status.NEEDS_ATTENTION
    assert "photo.log: This is a binary file" in run.attention
    assert run.files.get(file_name="photo.log").status == "refused"
    assert run.files.get(file_name=SQUID.name).status == "done"
    assert requests("claude") > 0
    with pytest.raises(ValidationError, match="binary file"):  # alone, it makes no run
        ingest_batch_create(files=[(blob, "photo.log")], actor="test")


@pytest.mark.usefixtures("catalog", "eager", "storage_dir")
def test_an_upload_of_several_files_is_one_run_listed_file_by_file(
    as_officer, django_capture_on_commit_callbacks
):
    files = [
        SimpleUploadedFile("access.log", SQUID.read_bytes()),
        SimpleUploadedFile("zeek.log", ZEEK.read_bytes()),
        SimpleUploadedFile("again.log", SQUID.read_bytes()),  # the same content twice
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = as_officer.post(reverse("discovery:run-upload"), {"file": files})
    run = IngestRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("discovery:run-detail", kwargs={"pk": run.pk})
    assert run.status == "done" and run.files_total == 3
    states = list(run.files.order_by("index").values_list("file_name", "status"))
    assert states == [("access.log", "done"), ("zeek.log", "done"), ("again.log", "duplicate")]
    page = as_officer.get(response["Location"]).content.decode()
    assert page.count('<tr data-file="') == 3
    assert "Already ingested in" in page and "not counted again" in page
    assert '<tr data-file="zeek.log" data-status="done">' in page


@pytest.mark.django_db(transaction=True)
def test_workers_holding_the_same_events_at_once_count_each_once(tmp_path):
    """PostgreSQL: four chunks carrying the same events (in different orders and shapes) are
    stored at the same moment by four threads; each event counts once and nobody deadlocks."""
    import random

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; concurrent chunk stores need PostgreSQL.")
    from discovery.catalog_loader import load_catalog
    from discovery.services import ingest_run_plan

    load_catalog(check=False)
    events = _demo_events()
    folder = tmp_path
    paths = [CLOUDTRAIL]
    for n, shape in enumerate(("lines", "array", "records")):
        shuffled = random.Random(n).sample(events, len(events))
        path = folder / f"{n}-{shape}.json"
        if shape == "lines":
            path.write_text("".join(json.dumps(e) + "\n" for e in shuffled))
        elif shape == "array":
            path.write_text(json.dumps(shuffled))
        else:
            path.write_text(json.dumps({"Records": shuffled}, indent=1))
        paths.append(path)
    result = ingest_batch_create(files=[(p, p.name) for p in paths], actor="test")
    indexes = ingest_run_plan(run_id=result.run.pk)
    assert len(indexes) == 4
    errors = writers_run(
        len(indexes), lambda n: ingest_chunk_process(run_id=result.run.pk, index=indexes[n])
    )
    assert errors == []
    run = IngestRun.objects.get(pk=result.run.pk)
    assert run.status == IngestRun.Status.DONE
    assert requests("amazon-bedrock") == BEDROCK_INVOCATIONS
    unique = CloudEventSeen.objects.count()
    assert run.events_duplicate == 3 * unique
    assert len(run.batch_cloud_events()) == unique
