"""The auditor exports an EU evidence pack in Chromium, watches it build, downloads and verifies it."""

import zipfile

import pytest

from evidence.manifest import verify_pack
from evidence.models import EvidencePack
from tests.e2e.conftest import screenshot
from tests.evidence.factories import EvidencePackFactory
from tests.evidence.world import make_world

pytestmark = pytest.mark.usefixtures("signing_key")  # a throwaway key, never the developer's


@pytest.fixture
def pack_worker(settings):
    """A real Celery worker (solo pool, in-memory broker) in a thread of this process, so it shares
    the live server's test database; tasks go through the broker exactly as in production."""
    from celery.contrib.testing.worker import start_worker

    from sightline.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.broker_transport_options = "memory://", {}
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker
    app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager = saved
    app._pool = None
    app.amqp._producer_pool = None


def tamper(src, dst, name: str, data: bytes):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, data if info.filename == name else zin.read(info.filename))
    return dst


@pytest.mark.usefixtures("storage_dir")
def test_auditor_creates_watches_downloads_and_verifies_an_eu_pack(
    login,
    live_server,
    auditor,
    officer,
    pack_worker,
    tmp_path,
):
    make_world(actor=officer, systems=6, files_per_system=2)
    page = login(auditor)
    page.click("nav >> text=Evidence packs")
    assert page.locator("h1").inner_text() == "Evidence packs"
    page.click("#new-pack")
    page.select_option("select[name=regime]", "eu")
    page.fill("input[name=period_from]", "2026-01-01")
    page.fill("input[name=period_to]", "2026-06-30")
    screenshot(page, "evidence-pack-create")
    page.click("#create-pack")

    page.wait_for_url("**/evidence/*/")
    progress = page.locator("#pack-progress")
    progress.wait_for()
    first_status = progress.get_attribute("data-status")
    assert first_status in {"queued", "running", "done"}
    seen = {first_status}
    if first_status != "done":
        assert page.locator("#pack-progress-bar").is_visible()
        screenshot(page, "evidence-pack-progress")
        for _ in range(240):  # the bar is re-polled every second by htmx
            status = page.locator("#pack-progress").get_attribute("data-status")
            seen.add(status)
            if status in ("done", "failed"):
                break
            page.wait_for_timeout(250)
    page.locator("#pack-status", has_text="Done").wait_for(timeout=120_000)
    assert "running" in seen or "queued" in seen, seen
    screenshot(page, "evidence-pack-done")

    pack = EvidencePack.objects.get()
    assert pack.regime == "eu" and pack.created_by == auditor
    assert pack.zip_sha256 in page.locator("#pack-progress").inner_text()

    with page.expect_download() as info:
        page.click("#download-zip")
    download = info.value
    assert download.suggested_filename == f"sightline-evidence-pack-{pack.pk}.zip"
    zip_path = tmp_path / download.suggested_filename
    download.save_as(zip_path)
    report = verify_pack(zip_path)
    assert report.ok, report.problems()
    assert report.pack["regime"] == "eu"

    bad = tamper(zip_path, tmp_path / "tampered.zip", "inventory.csv", b"name\nnothing to see\n")
    bad_report = verify_pack(bad)
    assert not bad_report.ok
    assert bad_report.changed == ["inventory.csv"]

    # The same verdicts through the upload-to-verify page.
    page.goto(f"{live_server.url}/evidence/verify/")
    page.set_input_files("#id_pack", str(zip_path))
    page.click("#verify-button")
    verdict = page.locator("#verify-verdict")
    verdict.wait_for()
    assert "Verified" in verdict.inner_text()
    page.set_input_files("#id_pack", str(bad))
    page.click("#verify-button")
    page.locator("#verify-problems").wait_for()
    assert "changed: inventory.csv" in page.locator("#verify-problems").inner_text()
    assert "FAILED" in page.locator("#verify-verdict").inner_text()
    screenshot(page, "evidence-pack-verify-tampered")

    from core.models import AuditEntry

    actions = set(
        AuditEntry.objects.filter(target_type="evidence.evidencepack").values_list(
            "action", flat=True
        )
    )
    assert {"pack.create", "pack.build", "pack.download_zip"} <= actions


def test_procurement_sees_packs_but_cannot_export(login, live_server, procurement, auditor):
    EvidencePackFactory(created_by=auditor)
    page = login(procurement)
    page.goto(f"{live_server.url}/evidence/")
    assert page.locator("#pack-table").is_visible()
    assert page.locator("#new-pack").count() == 0
    response = page.goto(f"{live_server.url}/evidence/new/")
    assert response.status == 403
