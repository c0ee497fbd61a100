"""Issue 15 §1-2 in a real browser: the demo's deadline list holds organisation-wide dates once;
sanction → intake → "Needs facts" → facts filled → classified; the dashboard's high-risk count
opens the inventory filtered to exactly those systems."""

import io
import re
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from core.extensions import app_hooks
from discovery.models import Finding
from inventory.models import AISystem
from regulations.models import ClassificationResult, Deadline, DeadlineSpec
from regulations.services.deadlines import is_organisation_scope
from tests.conftest import PASSWORD
from tests.discovery.factories import FindingFactory
from tests.e2e.conftest import screenshot
from tests.e2e.test_accessibility import _axe

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
def demo(transactional_db):
    """The demo data without its evidence pack (the PDF adds time and nothing here reads it)."""
    call_command("load_content", no_classify=True, stdout=io.StringIO())
    for hook in app_hooks("seed_demo"):
        if hook.app.label != "evidence":
            hook.target(stdout=io.StringIO())
    return get_user_model().objects.get(username="officer")


def _sign_in(page, live_server, user, password) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _org_titles() -> set[str]:
    return {s.title for s in DeadlineSpec.objects.all() if is_organisation_scope(s)}


def test_demo_deadlines_hold_organisation_dates_once_and_risk_links_filter(demo, page, live_server):
    _sign_in(page, live_server, demo, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/regulations/deadlines/?per_page=100")
    rows = page.locator("tr.deadline-row")
    expect(rows.first).to_be_visible()
    org_titles = _org_titles()
    listed = 0
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        title = cells.nth(2).locator("b").inner_text()
        system = cells.nth(3).inner_text().strip()
        if title in org_titles:
            listed += 1
            assert system == "Organisation-wide", f"{title} is listed for {system}"
    assert listed >= 5  # Art 4 literacy, SB 53 in force, CCPA regulations, ...
    literacy = page.locator("tr.deadline-row", has_text="Art 4 literacy")
    expect(literacy).to_have_count(1)
    expect(page.locator("tr.deadline-row", has_text="SB 53 in force")).to_have_count(1)
    body = page.locator("#deadline-table").inner_text()
    assert "every:P" not in body and "RRULE" not in body
    assert re.search(r"every (year|3 years|3 months)", body)
    # and the database agrees: no open per-system row is a copy of an organisation date
    assert not Deadline.objects.filter(
        system__isnull=False, title__in=org_titles, cancelled_at__isnull=True
    ).exists()

    page.goto(f"{live_server.url}/regulations/dashboard/")
    high = page.locator("#high-risk-link")
    count = int(high.inner_text().split()[0])
    assert count >= 3
    screenshot(page, "dashboard-risk-links")
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "screenshot-dashboard.png"), full_page=False)
    high.click()
    page.wait_for_load_state("networkidle")
    assert "risk_tier=high" in page.url
    names = page.locator("td.name-cell > a")
    expect(names).to_have_count(count)
    expect(page.locator("td.risk-cell .badge.risk-high")).to_have_count(
        AISystem.objects.filter(risk_tier="high").count()
    )
    expect(page.locator("#result-count")).to_contain_text(str(count))
    shot = screenshot(page, "inventory-risk-filter")
    shutil.copy(shot, DOCS / "screenshot-inventory-risk.png")


def test_sanction_then_intake_then_classified(
    transactional_db, page, live_server, catalogue, eager_celery
):
    from tests.conftest import Role, make_user

    call_command("load_content", no_classify=True, stdout=io.StringIO())
    officer = make_user("officer", Role.COMPLIANCE_OFFICER)
    finding = FindingFactory(
        app_key="claude", title="Claude used without an inventory record", severity="high"
    )
    _sign_in(page, live_server, officer, PASSWORD)

    page.goto(f"{live_server.url}/discovery/findings/")
    row = page.locator(f"#finding-{finding.pk}")
    row.get_by_role("button", name="Sanction", exact=True).click()
    expect(row).to_contain_text("Sanctioned as inventory system")
    row.get_by_role("link", name=re.compile("Complete the intake")).click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#intake-state")).to_have_text("Needs facts")
    assert _axe(page, live_server.url) == []  # every intake field is labelled, contrast holds
    screenshot(page, "intake-form")
    system = AISystem.objects.get(pk=Finding.objects.get(pk=finding.pk).system_id)
    assert system.needs_facts

    # In the inventory it is listed as needing facts, and not classified.
    page.goto(f"{live_server.url}/inventory/?needs_facts=true")
    expect(page.locator("td.name-cell > a")).to_have_count(1)
    expect(page.locator("td.risk-cell")).to_contain_text("Needs facts")
    page.goto(f"{live_server.url}/inventory/systems/{system.pk}/")
    expect(page.get_by_test_id("classification-needs-facts")).to_be_visible()
    assert not ClassificationResult.objects.filter(system=system).exists()

    page.get_by_test_id("classification-needs-facts").get_by_role("link").click()
    page.select_option("#id_owner", str(officer.pk))
    page.fill("#id_description", "Drafts replies to customer e-mails")
    page.get_by_label("EU: Germany").check()
    page.get_by_label("Customer service").check()
    page.select_option("#id_decision_role", "none")
    page.click("#intake-save")
    page.wait_for_load_state("networkidle")
    assert f"/inventory/systems/{system.pk}/" in page.url
    expect(page.locator("#needs-facts-badge")).to_have_count(0)
    expect(page.get_by_test_id("summary-headline-eu")).to_be_visible()
    system.refresh_from_db()
    assert not system.needs_facts and system.risk_tier
    assert ClassificationResult.objects.filter(system=system, regime__code="eu").exists()
