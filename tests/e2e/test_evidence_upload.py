"""Chromium: procurement uploads vendor evidence; content sniffing rejects a renamed executable."""

import pytest
from playwright.sync_api import expect

from assessments.models import ChecklistItemStatus
from tests.assessments import factories, samples
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.usefixtures("storage_dir")


def test_procurement_uploads_pdf_and_renamed_exe_is_rejected(
    page, login, live_server, procurement, tmp_path
):
    factories.load_real_content("eu")
    system = factories.credit_scorer()
    pdf = tmp_path / "instructions-for-use.pdf"
    pdf.write_bytes(samples.PDF)
    exe = tmp_path / "declaration-of-conformity.pdf"
    exe.write_bytes(samples.EXE)

    page = login(procurement)
    page.goto(f"{live_server.url}/inventory/systems/{system.pk}/")
    page.get_by_role("button", name="Create vendor checklist").click()
    expect(page.locator("h1")).to_contain_text("ScoreWise GmbH")
    rows = page.locator("article.checklist-item")
    expect(rows.first.locator("[data-status]")).to_have_text("Missing")

    summary_before = page.locator("#checklist-summary").inner_text()
    first = rows.first
    first.locator("details.upload summary").click()  # upload forms open one at a time
    rows.nth(1).locator("details.upload summary").click()
    expect(first.locator("details.upload")).not_to_have_attribute("open", "")
    first.locator("details.upload summary").click()
    expect(rows.nth(1).locator("details.upload")).not_to_have_attribute("open", "")
    first.locator("input[type=file]").set_input_files(str(pdf))
    first.locator("input[name=expiry_date]").fill("2099-12-31")
    first.get_by_role("button", name="Upload").click()
    first = page.locator("article.checklist-item").first
    expect(first).to_contain_text("Stored instructions-for-use.pdf as version 1")
    expect(first.locator("[data-status]")).to_have_text("Provided")
    expect(first.locator(".current-file")).to_contain_text("application/pdf")
    # The summary above the list follows the upload without a reload (an out-of-band swap).
    expect(page.locator("#checklist-summary")).not_to_have_text(summary_before)

    second = page.locator("article.checklist-item").nth(1)
    second.locator("details.upload summary").click()
    second.locator("input[type=file]").set_input_files(str(exe))
    second.locator("input[name=effective_date]").fill("2026-01-15")
    second.locator("input[name=expiry_date]").fill("2027-01-14")
    second.get_by_role("button", name="Upload").click()
    second = page.locator("article.checklist-item").nth(1)
    expect(second.locator(".upload-error")).to_contain_text(
        "Windows executable, which is not allowed"
    )
    expect(second.locator("[data-status]")).to_have_text("Missing")
    # A rejected upload keeps the dates typed; only the file is chosen again.
    expect(second.locator("input[name=effective_date]")).to_have_value("2026-01-15")
    expect(second.locator("input[name=expiry_date]")).to_have_value("2027-01-14")
    screenshot(page, "evidence-upload-rejected")

    statuses = list(
        ChecklistItemStatus.objects.order_by("item__position").values_list("status", flat=True)
    )
    assert statuses[:2] == ["provided", "missing"]

    # The download is an attachment of the stored bytes.
    with page.expect_download() as info:
        page.locator("article.checklist-item").first.locator(".current-file a").click()
    assert info.value.suggested_filename == "instructions-for-use.pdf"
    page.goto(f"{live_server.url}/assessments/vendors/")
    expect(page.locator("#scorecard")).to_contain_text("ScoreWise GmbH")
    screenshot(page, "evidence-scorecard")
