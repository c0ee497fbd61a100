"""Ingest batches in the browser: a .zip of CloudTrail JSON arrays is one run listing its files,
and several files uploaded at once are one run whose unreadable file is named on the page."""

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
    page, login, live_server, officer, catalogue, queued_only, tmp_path
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

    # The findings of the batch (technique ids, cumulative totals) are checked here.

    page.goto(f"{live_server.url}/discovery/runs/")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text("(3 files)")


def test_several_files_uploaded_at_once_are_one_run_naming_the_unreadable_one(
    page, login, live_server, officer, catalogue, queued_only, tmp_path
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
