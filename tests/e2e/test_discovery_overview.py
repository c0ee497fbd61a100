"""The discovery overview and a per-app page in Chromium with the demo data: the charts draw,
their data tables hold the same figures, axe finds nothing serious, and bulk triage works."""

import io
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from core.extensions import app_hooks
from tests.e2e.conftest import screenshot
from tests.e2e.test_accessibility import _axe, _sign_in

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
def demo(transactional_db):
    call_command("load_content", no_classify=True, stdout=io.StringIO())
    for hook in app_hooks("seed_demo"):
        if hook.app.label != "evidence":
            hook.target(stdout=io.StringIO())
    return get_user_model().objects.get(username="officer")


def _chart_totals(page, canvas_id: str) -> list[int]:
    """Per label, the sum over the drawn chart's datasets (read back from Chart.js itself)."""
    return page.evaluate(
        """(id) => {
          const chart = Chart.getChart(document.getElementById(id));
          return chart.data.labels.map((_, i) =>
            chart.data.datasets.reduce((sum, ds) => sum + ds.data[i], 0));
        }""",
        canvas_id,
    )


def test_overview_draws_its_charts_from_the_demo_data(demo, page, live_server):
    _sign_in(page, live_server, demo)
    page.goto(f"{live_server.url}/discovery/overview/")
    page.wait_for_function("() => document.querySelector('#traffic-chart').width > 0")
    page.wait_for_function("() => Chart.getChart(document.querySelector('#share-chart'))")
    drawn = _chart_totals(page, "traffic-chart")
    assert len(drawn) == 30 and sum(drawn) > 0

    page.get_by_text("Data table: requests per day").click()
    rows = page.locator("#traffic-table tbody tr")
    expect(rows).to_have_count(30)
    table_totals = [
        int(t.replace(",", "")) for t in rows.locator("td:last-child").all_inner_texts()
    ]
    assert table_totals == drawn

    share = page.evaluate(
        "() => Chart.getChart(document.querySelector('#share-chart')).data.datasets[0].data"
    )
    page.get_by_text("Data table: share by status").click()
    shown = page.locator("#share-table tbody tr td:nth-child(3)").all_inner_texts()
    assert [int(s.replace(",", "")) for s in shown] == share
    assert sum(share) == sum(drawn)

    from discovery.models import AppUsageTotal

    busiest = AppUsageTotal.objects.order_by("-requests").first().app_key
    top_link = page.locator("#top-apps tbody tr").first.locator("a")
    expect(top_link).to_have_attribute("href", f"/discovery/apps/{busiest}/")
    expect(page.locator("#risky-apps")).to_contain_text("Trains on customer data")
    assert _axe(page, live_server.url) == []

    page.get_by_text("Data table: requests per day").click()  # close it for the picture
    page.get_by_text("Data table: share by status").click()
    shot = screenshot(page, "discovery-overview")
    DOCS.mkdir(exist_ok=True)
    shutil.copyfile(shot, DOCS / "screenshot-discovery-dashboard.png")

    page.select_option("#ov-stack", "category")
    page.get_by_role("button", name="Show").click()
    page.wait_for_function("() => Chart.getChart(document.querySelector('#traffic-chart'))")
    assert _chart_totals(page, "traffic-chart") == drawn  # same traffic, other stacking


def test_app_page_chart_table_and_bulk_dismiss(demo, page, live_server):
    from discovery.models import Finding

    _sign_in(page, live_server, demo)
    page.goto(f"{live_server.url}/discovery/apps/deepseek/")
    page.wait_for_function("() => Chart.getChart(document.querySelector('#usage-chart'))")
    labels = page.evaluate(
        "() => Chart.getChart(document.querySelector('#usage-chart')).data.labels.length"
    )
    page.get_by_text("Data table: usage per day").click()
    expect(page.locator("#usage-table tbody tr")).to_have_count(labels)
    expect(page.locator("#risk-factors")).to_contain_text("Data residency")
    assert _axe(page, live_server.url) == []
    screenshot(page, "discovery-app-overview")

    boxes = page.locator("#app-findings input[name=finding]")
    count = boxes.count()
    assert count >= 1
    page.get_by_label("Select all open findings").check()
    assert all(boxes.nth(i).is_checked() for i in range(count))
    page.select_option("select[name=action]", "dismiss")
    page.fill("input[name=reason]", "Blocked at the firewall already")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.locator(".messages")).to_contain_text(f"Dismiss: {count} finding")
    assert not Finding.objects.filter(app_key="deepseek", state__in=Finding.OPEN_STATES).exists()
    expect(page.locator("#app-findings")).not_to_contain_text("Open")
