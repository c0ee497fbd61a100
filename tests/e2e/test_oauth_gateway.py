"""Beyond network logs, in the browser: a Workspace token export shows the OAuth-connected AI app
with its scopes, and sanctioning it prefills the new system's data categories; gateway logs of a
sanctioned system with a new team open a drift finding whose acceptance re-classifies the system
and proposes the assessment the law then requires."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.discovery import usage_scenario as sc
from tests.e2e.conftest import screenshot


def _upload(page, live_server, *paths) -> None:
    page.goto(f"{live_server.url}/discovery/runs/upload/")
    page.set_input_files("input[name=file]", [str(p) for p in paths])
    page.click("text=Upload and ingest")
    page.wait_for_url(re.compile(r"/discovery/runs/\d+/$"))
    expect(page.locator("#run-status")).to_have_text(re.compile("Done|Needs attention"))


@pytest.fixture
def content(transactional_db):
    call_command("load_content", no_classify=True, stdout=io.StringIO())


def test_workspace_grants_show_the_app_and_sanctioning_prefills_data_categories(
    page, login, live_server, officer, catalogue, eager_celery, storage_dir, tmp_path
):
    from inventory.models import AISystem

    export = tmp_path / "workspace-token-activity.jsonl"
    export.write_text(sc.grant_lines() + sc.revoke_lines(), encoding="utf-8")
    login(officer)
    _upload(page, live_server, export)

    page.goto(f"{live_server.url}/discovery/overview/")
    chatgpt = page.locator('#oauth-app-table tr[data-app="chatgpt"]')
    expect(chatgpt).to_contain_text("ChatGPT")
    expect(chatgpt).to_contain_text("Mail and messages (read)")
    expect(chatgpt).to_contain_text("Files (read)")
    expect(chatgpt.locator("td").nth(2)).to_contain_text("1 of 2")  # bob revoked his grant
    page.locator("#oauth-apps").scroll_into_view_if_needed()
    screenshot(page, "oauth-overview")

    chatgpt.get_by_role("link", name="ChatGPT").click()
    expect(page.locator("#grant-table")).to_contain_text("alice@example.com")
    expect(page.locator('#grant-table tr[data-user="bob@example.com"]')).to_contain_text("Revoked")
    screenshot(page, "oauth-app-page")

    page.goto(f"{live_server.url}/discovery/findings/?kind=oauth_app")
    row = page.locator('tr[data-kind="oauth_app"][data-subject="chatgpt"]')
    expect(row).to_be_visible()
    screenshot(page, "oauth-findings")
    row.get_by_role("link", name=re.compile("ChatGPT granted access")).click()
    evidence = page.get_by_test_id("oauth-evidence")
    expect(evidence).to_contain_text("1 active, 1 revoked")
    expect(evidence).to_contain_text(sc.CHATGPT_ID)
    screenshot(page, "oauth-finding-detail")
    page.go_back()
    row.get_by_role("button", name="Sanction").click()
    expect(row.get_by_test_id("state")).to_have_text("Sanctioned")

    system = AISystem.objects.get(name="ChatGPT")
    assert set(system.data_categories) >= {"communications", "contact"}
    page.goto(f"{live_server.url}/inventory/systems/{system.pk}/")
    expect(page.locator("body")).to_contain_text("Communications content")
    expect(page.locator("body")).to_contain_text("Contact details")
    screenshot(page, "oauth-sanctioned-system")


def test_gateway_logs_with_a_new_team_open_drift_and_accepting_reclassifies(
    page, login, live_server, officer, catalogue, content, eager_celery, storage_dir, tmp_path
):
    from regulations.services import classification_run

    systems = sc.setup_inventory(officer)
    sales = systems["sales"]
    classification_run(system=sales)
    baseline, rest = tmp_path / "spend-1.jsonl", tmp_path / "spend-2.jsonl"
    baseline.write_text(sc.spend_baseline(), encoding="utf-8")
    rest.write_text(sc.spend_rest(), encoding="utf-8")
    login(officer)
    _upload(page, live_server, baseline, rest)

    page.goto(f"{live_server.url}/inventory/systems/{sales.pk}/")
    panel = page.get_by_test_id("gateway-panel")
    expect(panel.locator('#observed-vs-recorded tr[data-dimension="team"]')).to_contain_text(
        "Recruiting"
    )
    page.wait_for_function(
        "() => document.querySelector('canvas[data-usage-chart-canvas]')?.width > 0"
    )
    screenshot(page, "gateway-system-panel")
    proposal = panel.get_by_test_id("drift-proposal").filter(has_text="Recruiting")
    expect(proposal).to_contain_text("Teams using")
    expect(proposal).to_contain_text("employment")
    proposal.get_by_role("button", name="Accept").click()
    expect(panel.get_by_text("record is updated")).to_be_visible()
    expect(panel.get_by_test_id("drift-state").first).to_have_text("Accepted")
    # The classification panel fetches itself again: the system is high-risk now.
    expect(page.locator("#regulations-panel")).to_contain_text("High-risk")

    sales.refresh_from_db()
    assert "Recruiting" in sales.teams_using and "employment" in sales.domains
    page.goto(f"{live_server.url}/inventory/systems/{sales.pk}/")
    expect(page.locator("#regulations-panel")).to_contain_text("High-risk")
    screenshot(page, "gateway-drift-accepted")

    # High-risk now: the deployer's log-keeping duty (EU Art 26(6)) sets the window of the
    # log coverage shown as record-keeping evidence.
    from django.utils import timezone

    from regulations.log_coverage import log_coverage

    cov = log_coverage(system=sales, on=timezone.localdate())
    assert cov.duties and cov.days_with_logs > 0
    coverage = page.get_by_test_id("log-coverage")
    expect(coverage).to_contain_text("retain:P6M after log generation")
    expect(coverage.locator("#log-days-with")).to_have_text(str(cov.days_with_logs))
    expect(coverage.locator("#log-days-without")).to_have_text(str(cov.days_without_logs))
    coverage.screenshot(path=str(screenshot(page, "gateway-log-coverage").with_suffix(".png")))

    page.goto(f"{live_server.url}/discovery/findings/?kind=drift")
    expect(page.locator('tr[data-kind="drift"]').first).to_be_visible()
    screenshot(page, "gateway-drift-findings")

    page.goto(f"{live_server.url}/assessments/")
    missing = page.locator("#missing tr", has_text="Sales assistant")
    expect(missing).to_have_count(1)
    expect(
        missing.get_by_role("button", name=re.compile(r"^Start .* for Sales assistant$"))
    ).to_be_visible()
    screenshot(page, "gateway-assessment-proposed")

    page.goto(f"{live_server.url}/discovery/budgets/?month=2026-11")
    expect(page.locator('#budget-table tr[data-budget="team:Sales"]')).to_contain_text("%")
    screenshot(page, "budgets")
