"""In Chromium: the audit page draws each stored diff shape, filters and exports; the inbox and its
badge follow an assessment as it moves between two officers."""

import csv
import io

import pytest
from playwright.sync_api import expect

from assessments.services import assessment_approve, assessment_start, assessment_submit
from core.audit import audit_record
from tests.assessments import factories
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.usefixtures("storage_dir")

SHA = "8e6e1af29df1114c61281b5e4d2a62bee2cde5f3e18a19ec79c827a2338f6b94"


@pytest.fixture
def shapes(transactional_db, officer, auditor):
    """One entry per diff shape the services write."""
    rows = [
        (
            "system.create",
            {"name": [None, "Chatbot"], "employees": [None, 2400], "notes": [None, ""]},
        ),
        ("system.update", {"content_type": ["application/pdf", "text/plain"], "size": [0, 678]}),
        ("system.delete", {"name": ["Old bot", None]}),
        ("evidence.upload", {"sha256": SHA, "size": 751, "status": ["missing", "provided"]}),
        ("checklist.sync", {"added": ["item-a", "item-b"]}),
        ("organisation.update", {"does_business_in": [["CO"], ["CO", "EU"]]}),
        ("assessment.attach", {"file": {"name": "instructions.pdf", "size": 678}}),
    ]
    for i, (action, changes) in enumerate(rows):
        audit_record(
            actor=officer if i % 2 == 0 else auditor,
            action=action,
            target_type="inventory.aisystem",
            target_id=str(i + 1),
            target_repr=f"Shape {i + 1}",
            changes=changes,
        )
    return rows


def _row(page, target: str):
    return page.locator("tr", has_text=target)


def test_audit_page_draws_every_diff_shape(shapes, login, auditor, live_server):
    page = login(auditor)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}/audit/")
    created = _row(page, "Shape 1").locator("td.changes")
    expect(created).to_contain_text("name Chatbot")
    expect(created).to_contain_text("employees 2,400")
    expect(created).to_contain_text("left empty: notes")
    expect(created).not_to_contain_text("→")
    changed = _row(page, "Shape 2").locator("td.changes")
    expect(changed).to_contain_text("content_type application/pdf → text/plain")
    expect(changed).to_contain_text("size 0 → 678")
    deleted = _row(page, "Shape 3").locator("td.changes")
    expect(deleted).to_contain_text("name Old bot removed")
    scalars = _row(page, "Shape 4").locator("td.changes")
    expect(scalars).to_contain_text(f"sha256 {SHA[:12]}…")
    expect(scalars).to_contain_text("size 751")
    expect(scalars).not_to_contain_text(SHA)
    expect(_row(page, "Shape 5").locator("td.changes")).to_contain_text("added item-aitem-b")
    listed = _row(page, "Shape 6").locator("td.changes")
    expect(listed.locator("ins")).to_have_text("EU")
    expect(_row(page, "Shape 7").locator("td.changes")).to_contain_text("instructions.pdf")

    scalars.get_by_role("button", name=f"Copy {SHA}").click()
    expect(scalars.get_by_role("button", name=f"Copy {SHA}")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == SHA
    screenshot(page, "audit-shapes")


def test_audit_filters_and_exports_what_it_shows(shapes, login, auditor, live_server):
    page = login(auditor)
    page.goto(f"{live_server.url}/audit/")
    page.select_option("#id_actor", "auditor")
    page.fill("#id_action", "system.")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#audit-count")).to_contain_text("1 entry match these filters")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("Shape 2")
    with page.expect_download() as info:
        page.locator("#audit-export").click()
    with open(info.value.path(), encoding="utf-8") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    assert [(r["action"], r["actor"]) for r in rows] == [("system.update", "auditor")]
    assert rows[0]["changes"] == "content_type: application/pdf → text/plain; size: 0 → 678"


def test_inbox_counts_follow_an_assessment(transactional_db, login, officer, officer2, live_server):
    system = factories.classified_system()
    system.owner, system.description = officer, "Ranks applicants"
    system.save()
    assessment = assessment_start(actor=officer, system=system, template=factories.fria())
    factories.fill_required(officer, assessment)
    page = login(officer2)
    page.goto(f"{live_server.url}/inbox/")
    review = page.locator("#inbox-assessments-to-review")
    expect(review.locator("[data-count]")).to_have_text("0")
    expect(page.locator("#inbox-count")).to_have_text("nothing waiting")

    assessment_submit(actor=officer, assessment=assessment)
    page.reload()
    expect(review.locator("[data-count]")).to_have_text("1")
    expect(review.get_by_role("link")).to_contain_text("CV screener")
    expect(page.locator("#inbox-count")).to_have_text("1")
    screenshot(page, "inbox")

    review.get_by_role("link").first.click()
    expect(page).to_have_url(f"{live_server.url}/assessments/{assessment.pk}/")
    assessment_approve(actor=officer2, assessment=assessment)
    page.goto(f"{live_server.url}/inbox/")
    expect(review.locator("[data-count]")).to_have_text("0")
    expect(page.locator("#inbox-count")).to_have_text("nothing waiting")


def test_notification_switches_save(transactional_db, login, officer, live_server):
    page = login(officer)
    page.goto(f"{live_server.url}/inbox/")
    page.locator("a", has_text="E-mail notifications").click()
    switch = page.get_by_label("An assessment is submitted for my review")
    expect(switch).to_be_checked()
    switch.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".msg-success")).to_contain_text("saved")
    expect(page.get_by_label("An assessment is submitted for my review")).not_to_be_checked()
    expect(page.get_by_label("An assessment of mine is approved")).to_be_checked()
