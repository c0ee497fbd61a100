"""Ingest batches in the browser: a .zip of CloudTrail JSON arrays is one run listing its files,
and several files uploaded at once are one run whose unreadable file is named on the page."""

import datetime as dt
import gzip
import json
import re
import threading
import zipfile

from playwright.sync_api import expect

from tests.discovery.conftest import CLOUDTRAIL, SQUID
from tests.e2e.conftest import screenshot


def _upload(page, live_server, *paths) -> None:
    page.goto(f"{live_server.url}/discovery/runs/upload/")
    page.set_input_files("input[name=file]", [str(p) for p in paths])
    page.click("text=Upload and ingest")
    page.wait_for_url(re.compile(r"/discovery/runs/\d+/$"))


def _work(run_id: int) -> None:
    """A worker picks the run up while the page polls every second."""
    from discovery.services import ingest_run_execute

    worker = threading.Thread(target=ingest_run_execute, kwargs={"run_id": run_id})
    worker.start()
    worker.join(timeout=120)


def test_a_zip_of_cloudtrail_arrays_is_one_run_with_its_files(
    page, login, live_server, officer, catalogue, queued_only, tmp_path, storage_dir
):
    from discovery.models import IngestRun

    events = json.loads(gzip.decompress(CLOUDTRAIL.read_bytes()))["Records"]
    archive = tmp_path / "stratus-bedrock.zip"
    parts = [events[:8], events[8:16], events[16:]]
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i, part in enumerate(parts, start=1):
            zf.writestr(f"detonation-{i}/events.json", json.dumps(part, indent=2))

    login(officer)
    _upload(page, live_server, archive)
    run = IngestRun.objects.get()
    expect(page.locator("#run-status")).to_have_text("Queued")
    _work(run.pk)

    expect(page.locator("#run-status")).to_have_text("Done", timeout=15000)
    expect(page.locator("#run-progress-bar")).to_have_attribute("value", "100")
    files = page.locator("#run-files tbody tr")
    expect(files).to_have_count(3)
    for i, part in enumerate(parts, start=1):
        row = page.locator(
            f'#run-files tr[data-file="stratus-bedrock.zip/detonation-{i}/events.json"]'
        )
        expect(row).to_contain_text("cloudtrail")
        expect(row).to_contain_text("Done")
        expect(row.locator("td.num").nth(1)).to_have_text(str(len(part)))  # parsed events
    expect(page.locator("hgroup")).to_contain_text("3 files")
    screenshot(page, "discovery-run-zip-batch")
    assert IngestRun.objects.count() == 1
    run.refresh_from_db()
    assert run.lines_parsed == len(events) and run.files_total == 3

    # The batch's findings: technique ids and totals, on the run page and the finding's page.
    from discovery.models import Finding

    probe = Finding.objects.get(dedupe_key__startswith="llmjacking:L1:")
    first_total = probe.evidence["events_total"]
    run_findings = page.locator("#run-findings")
    expect(run_findings).to_contain_text("T1078.004")
    expect(run_findings).to_contain_text(f"{first_total} events")

    page.goto(f"{live_server.url}/discovery/runs/")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text("(3 files)")

    # The same attack an hour later in a second zip: the one finding shows the new total.
    later = [
        dict(
            e,
            eventID=f"{e['eventID']}-later",
            eventTime=(
                dt.datetime.fromisoformat(e["eventTime"].replace("Z", "+00:00"))
                + dt.timedelta(hours=1)
            ).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        for e in events
    ]
    second = tmp_path / "stratus-bedrock-again.zip"
    with zipfile.ZipFile(second, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("detonation-4/events.json", json.dumps(later, indent=2))
    _upload(page, live_server, second)
    _work(IngestRun.objects.latest("pk").pk)
    expect(page.locator("#run-status")).to_have_text("Done", timeout=15000)
    probe.refresh_from_db()
    total = probe.evidence["events_total"]
    assert total > first_total and probe.occurrences == 2
    assert Finding.objects.filter(dedupe_key=probe.dedupe_key).count() == 1
    page.goto(f"{live_server.url}/discovery/findings/{probe.pk}/")
    expect(page.locator("h1")).to_contain_text(f"{total} events")
    detection = page.locator("[data-testid=llmjacking-totals]")
    expect(detection).to_contain_text("T1078.004")
    expect(detection).to_contain_text("T1496")
    expect(detection).to_contain_text(f"{total} in 2 episodes")
    for region in probe.evidence["regions"]:
        expect(detection).to_contain_text(region)
    screenshot(page, "discovery-llmjacking-finding")
    page.goto(f"{live_server.url}/discovery/findings/?kind=llmjacking")
    row = page.locator(f"#finding-{probe.pk}")
    expect(row.locator("[data-testid=techniques]")).to_contain_text("L1 T1078.004")
    expect(row).to_contain_text(f"{total} events")


def test_several_files_uploaded_at_once_are_one_run_naming_the_unreadable_one(
    page, login, live_server, officer, catalogue, queued_only, tmp_path, storage_dir
):
    from discovery.models import IngestRun

    notes = tmp_path / "notes.txt"
    notes.write_text("Dear diary,\nToday I wrote no logs at all.\n" * 30)
    squid = tmp_path / "access.log"
    squid.write_bytes(SQUID.read_bytes())

    login(officer)
    _upload(page, live_server, squid, notes)
    run = IngestRun.objects.get()
    _work(run.pk)

    expect(page.locator("#run-status")).to_have_text("Needs attention", timeout=15000)
    expect(page.locator("#run-attention")).to_contain_text(
        "notes.txt: Could not recognise the log format"
    )
    expect(page.locator('#run-files tr[data-file="access.log"]')).to_contain_text("Done")
    expect(page.locator('#run-files tr[data-file="notes.txt"]')).to_contain_text("Refused")
    expect(page.locator(".counters")).to_contain_text("1,887")
    screenshot(page, "discovery-run-needs-attention")
