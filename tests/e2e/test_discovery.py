"""Discovery in the browser: upload a log, watch progress, sanction one finding, block another."""

import re
import threading

from playwright.sync_api import expect

from tests.discovery.conftest import CLOUDTRAIL, SQUID
from tests.e2e.conftest import forget_session, screenshot


def row(page, kind: str, subject: str):
    return page.locator(f'tr[data-kind="{kind}"][data-subject="{subject}"]')


def test_upload_progress_sanction_and_block(
    page, login, live_server, officer, catalogue, queued_only
):
    from discovery.models import IngestRun
    from discovery.services import ingest_run_execute

    login(officer)
    page.goto(f"{live_server.url}/discovery/runs/upload/")
    screenshot(page, "discovery-upload")
    page.set_input_files("input[name=file]", str(SQUID))
    page.click("text=Upload and ingest")
    page.wait_for_url(re.compile(r"/discovery/runs/\d+/$"))
    run = IngestRun.objects.get()
    expect(page.locator("#run-status")).to_have_text("Queued")
    screenshot(page, "discovery-run-queued")

    # A worker picks the run up while the page polls every second.
    worker = threading.Thread(target=ingest_run_execute, kwargs={"run_id": run.pk})
    worker.start()
    worker.join(timeout=60)
    expect(page.locator("#run-status")).to_have_text("Done", timeout=15000)
    expect(page.locator("#run-progress-bar")).to_have_attribute("value", "100")
    expect(page.locator("#run-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    expect(page.locator(".counters")).to_contain_text("1,887")
    expect(page.get_by_text("this line is not a squid log line")).to_be_visible()
    screenshot(page, "discovery-run-done")

    page.click("#run-findings-link")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/discovery/findings/")
    claude = row(page, "unsanctioned_use", "claude")
    expect(claude).to_be_visible()
    screenshot(page, "discovery-findings")

    claude.get_by_role("button", name="Sanction").click()
    expect(claude.get_by_test_id("state")).to_have_text("Sanctioned")
    expect(claude).to_contain_text("Sanctioned as inventory system")
    # The "new app" finding about Claude was decided by the same click and its row says so.
    expect(row(page, "new_app", "claude").get_by_test_id("state")).to_have_text("Sanctioned")

    deepseek = row(page, "unsanctioned_use", "deepseek")
    # Blocking asks why and confirms first.
    deepseek.get_by_role("button", name="Block…").click()
    deepseek.get_by_label("Why block deepseek?").fill("Consumer terms train on our data")
    page.once("dialog", lambda dialog: dialog.accept())
    deepseek.get_by_role("button", name="Block", exact=True).click()
    expect(deepseek.get_by_test_id("state")).to_have_text("Blocked")
    screenshot(page, "discovery-findings-triaged")

    # The sanctioned app is now an inventory record with its provenance.
    page.goto(f"{live_server.url}/inventory/?q=Claude")
    page.get_by_role("link", name="Claude", exact=True).first.click()
    expect(page.locator("body")).to_contain_text(f"ingest run #{run.pk}")
    expect(page.locator("body")).to_contain_text("Discovered")
    screenshot(page, "discovery-inventory-record")

    # The blocked app shows up in the Squid ACL export.
    page.goto(f"{live_server.url}/discovery/blocklist/")
    expect(page.locator("table")).to_contain_text("chat.deepseek.com")
    screenshot(page, "discovery-blocklist")
    page.goto(f"{live_server.url}/discovery/blocklist/export/squid/")
    expect(page.locator("body")).to_contain_text("acl sightline_blocked_ai dstdomain .deepseek.com")


def test_discovered_ai_pages_render(page, login, live_server, officer, admin_user, catalogue):
    from discovery.services import ingest_run_create, ingest_run_execute

    for path in (SQUID, CLOUDTRAIL):
        run, _ = ingest_run_create(path=path, actor="e2e")
        ingest_run_execute(run_id=run.pk)
    login(officer)
    page.goto(f"{live_server.url}/discovery/")
    expect(page.locator("#apps")).to_contain_text("Claude")
    screenshot(page, "discovery-apps")
    page.select_option("select[name=category]", "coding_assistant")
    expect(page.locator("#apps tbody tr")).to_have_count(1)
    expect(page.locator("#apps")).to_contain_text("GitHub Copilot")

    page.goto(f"{live_server.url}/discovery/apps/claude/")
    page.wait_for_function("() => document.querySelector('#usage-chart').width > 0")
    expect(page.locator("body")).to_contain_text("Top users")
    screenshot(page, "discovery-app-detail")

    page.goto(f"{live_server.url}/discovery/findings/?kind=llmjacking")
    expect(page.locator("table.findings")).to_contain_text("Invoke probe [L1 · T1078.004")
    page.get_by_role("link", name=re.compile(r"Invoke probe \[L1 ")).click()
    expect(page.locator("body")).to_contain_text("203.0.113.77")
    expect(page.locator("body")).to_contain_text("ValidationException")
    screenshot(page, "discovery-finding-llmjacking")

    page.goto(f"{live_server.url}/discovery/runs/")
    screenshot(page, "discovery-runs")

    forget_session(page)
    login(admin_user)
    page.goto(f"{live_server.url}/discovery/sources/")
    expect(page.locator("h1")).to_have_text("Log sources")
    screenshot(page, "discovery-sources")


def test_finding_sanction_as_existing_system_via_name_search(
    page, login, live_server, officer, catalogue
):
    """The picker asks the server for at most 20 matches; the chosen radio posts that system's pk."""
    from discovery.models import DiscoveredApp
    from discovery.services import ingest_run_create, ingest_run_execute
    from inventory.models import AISystem
    from tests.factories import AISystemFactory

    run, _ = ingest_run_create(path=SQUID, actor="e2e")
    ingest_run_execute(run_id=run.pk)
    existing = AISystemFactory(name="Claude for Work", sanction_status="under_review")
    for i in range(30):
        AISystemFactory(name=f"Claude pilot {i:02d}")
    login(officer)
    page.goto(f"{live_server.url}/discovery/findings/")
    claude = row(page, "unsanctioned_use", "claude")
    claude.locator("summary").click()
    search = claude.get_by_label("Or link it to an existing inventory system")
    search.press_sequentially("claude", delay=30)
    choices = claude.locator("fieldset.system-choices input[type=radio]")
    expect(choices).to_have_count(20)
    expect(claude).to_contain_text("First 20 shown")
    search.press_sequentially(" for", delay=30)
    expect(choices).to_have_count(1)
    claude.get_by_role("radio", name=re.compile("Claude for Work")).check()
    screenshot(page, "discovery-finding-link-picker")
    claude.get_by_role("button", name="Sanction as").click()
    expect(claude.get_by_test_id("state")).to_have_text("Sanctioned")
    expect(claude).to_contain_text("Sanctioned as inventory system “Claude for Work”")
    existing.refresh_from_db()
    assert existing.sanction_status == AISystem.SanctionStatus.SANCTIONED
    assert DiscoveredApp.objects.get(app_key="claude").system == existing
    assert AISystem.objects.count() == 31


def test_finding_row_loads_assign_and_dismiss_forms_when_opened(
    page, login, live_server, officer, catalogue
):
    """The queue draws no assignee list until a row's details open; the loaded forms still swap the row."""
    from discovery.models import Finding
    from discovery.services import ingest_run_create, ingest_run_execute

    run, _ = ingest_run_create(path=SQUID, actor="e2e")
    ingest_run_execute(run_id=run.pk)
    login(officer)
    page.goto(f"{live_server.url}/discovery/findings/")
    expect(page.locator("select[name=assignee]")).to_have_count(0)
    claude = row(page, "unsanctioned_use", "claude")
    claude.locator("summary").click()
    claude.get_by_label("Assignee").select_option(label=officer.username)
    claude.get_by_role("button", name="Assign").click()
    expect(claude.get_by_test_id("state")).to_have_text("Assigned")
    expect(claude).to_contain_text(f"Assigned to {officer.username}.")
    expect(page.locator("select[name=assignee]")).to_have_count(0)

    claude.locator("summary").click()
    claude.get_by_label("Dismiss reason").fill("Approved under the pilot")
    claude.get_by_role("button", name="Dismiss").click()
    expect(claude.get_by_test_id("state")).to_have_text("Dismissed")
    finding = Finding.objects.get(app_key="claude", kind=Finding.Kind.UNSANCTIONED_USE)
    assert finding.state == Finding.State.DISMISSED
    assert finding.dismiss_reason == "Approved under the pilot"
