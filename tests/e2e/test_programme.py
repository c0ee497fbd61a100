"""In Chromium: the governance programme end to end. A requester asks to use an AI tool, an
officer approves and the system appears classified while the requester sees "approved"; a risk
with a control and evidence moves the heat map; an LMS CSV changes the literacy coverage; a rights
request's statutory due date shows in the inbox; the evidence pack lists all of them."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from discovery.models import IdentityMapping
from inventory.models import AISystem
from programme.models import AIUseRequest, RightsRequest, Risk, TrainingModule
from regulations.models import ClassificationResult
from tests.assessments import samples
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.usefixtures("storage_dir")


@pytest.fixture
def content(transactional_db, eager_celery):
    call_command("load_content", no_classify=True, stdout=io.StringIO())


def sign_in(page, live_server, user):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_request_approved_becomes_a_classified_system(
    content, page, live_server, requester, officer
):
    sign_in(page, live_server, requester)
    page.goto(f"{live_server.url}/programme/requests/new/")
    page.fill("#id_tool_name", "Claude")
    page.fill("#id_purpose", "Rank job applicants for the sales team")
    page.fill("#id_team", "Sales")
    page.get_by_label("Colorado").check()
    page.get_by_label("Employment", exact=True).check()
    page.select_option("#id_decision_role", "substantial_factor")
    page.click("#submit-request")
    expect(page.locator("#request-status")).to_have_text("Submitted")
    item = AIUseRequest.objects.get(requester=requester)
    page.goto(f"{live_server.url}/inventory/")
    expect(page.locator("h1")).to_contain_text("not have access")  # a requester reads nothing else

    sign_in(page, live_server, officer)
    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator("main")).to_contain_text("Claude for requester")
    page.goto(f"{live_server.url}/programme/requests/{item.pk}/")
    page.get_by_label("Approve", exact=True).check()
    page.click("#decide")
    expect(page.locator("#request-status")).to_have_text("Approved")
    system = AISystem.objects.get(use_requests=item)
    assert ClassificationResult.objects.filter(
        system=system, content_version__regime__code="co"
    ).exists()
    page.click("#request-system")
    expect(page.locator("h1")).to_contain_text("Claude")
    expect(page.locator("main")).not_to_contain_text("Needs facts")
    screenshot(page, "programme-approved-system")

    sign_in(page, live_server, requester)
    page.goto(f"{live_server.url}/programme/requests/")
    row = page.locator("#requests tr", has_text="Claude")
    expect(row).to_contain_text("Approved")


def test_risk_with_a_control_and_evidence_moves_the_heat_map(
    content, page, live_server, officer, tmp_path
):
    system = AISystem.objects.create(name="Support bot", model_type="generative_app")
    sign_in(page, live_server, officer)
    page.goto(f"{live_server.url}/programme/risks/")
    expect(page.locator("#heat-map")).to_have_attribute("data-total", "0")
    page.goto(f"{live_server.url}/inventory/systems/{system.pk}/")
    page.click("#add-system-risk")
    page.fill("#id_title", "Prompt injection through tickets")
    page.select_option(
        "#id_category",
        label="Not secure or resilient (attacks, misuse, unexpected conditions) · NIST AI RMF 1.0",
    )
    page.select_option("#id_likelihood", "4")
    page.select_option("#id_impact", "5")
    page.click("#save-risk")
    page.select_option("#id_control", label="owasp-llm.LLM01 Prompt injection")
    page.click("#add-control")
    expect(page.locator("#risk-controls")).to_contain_text("LLM01")
    evidence = tmp_path / "injection-suite.pdf"
    evidence.write_bytes(samples.PDF)
    row = page.locator("#risk-controls tbody tr", has_text="LLM01")
    row.locator("select[name=status]").select_option("implemented")
    row.locator("input[type=file]").set_input_files(str(evidence))
    row.get_by_role("button", name="Save").click()
    expect(page.locator("#risk-controls")).to_contain_text("injection-suite.pdf")
    expect(page.locator("#risk-controls .control-status")).to_have_text("Implemented")
    page.goto(f"{live_server.url}/programme/risks/")
    expect(page.locator("#heat-map")).to_have_attribute("data-total", "1")
    expect(page.locator('#heat-map td[data-cell="4-5"]')).to_have_text("1")
    page.goto(f"{live_server.url}/inventory/systems/{system.pk}/")
    expect(page.locator('#system-heat-map td[data-cell="4-5"]')).to_have_text("1")
    screenshot(page, "programme-heat-map")


def test_csv_import_changes_coverage_and_rights_due_date_in_inbox(
    content, page, live_server, officer, tmp_path
):
    TrainingModule.objects.create(title="AI basics")
    for person in ("ann@example.com", "bob@example.com"):
        IdentityMapping.objects.create(kind="user", identifier=person, person=person, team="Sales")
    sign_in(page, live_server, officer)
    page.goto(f"{live_server.url}/programme/literacy/")
    expect(page.locator("#everyone-percent")).to_have_text("0 %")
    done = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    lms = tmp_path / "lms.csv"
    lms.write_text(
        f"Email,Course Title,Completion Date\nann@example.com,AI basics,{done}\nzed@x,Nope,{done}\n"
    )
    page.set_input_files("#id_file", str(lms))
    page.click("#import")
    expect(page.locator("main")).to_contain_text("Imported 1 completion")
    expect(page.locator("main")).to_contain_text("1 unknown module")
    expect(page.locator("#everyone-percent")).to_have_text("50 %")

    received = timezone.localdate() - dt.timedelta(days=40)
    page.goto(f"{live_server.url}/programme/rights/new/")
    page.select_option("#id_rule", label="CA · CCPA right to know / access")
    page.fill("#id_reference", "DSAR-2026-17")
    page.fill("#id_received_on", received.isoformat())
    page.click("#save-rights-request")
    due = (received + dt.timedelta(days=45)).isoformat()
    expect(page.locator("#rights-due")).to_contain_text(due)
    page.goto(f"{live_server.url}/inbox/")
    item = page.locator("main li, main tr", has_text="DSAR-2026-17").first
    expect(item).to_contain_text(due)
    screenshot(page, "programme-rights-inbox")

    page.goto(f"{live_server.url}/evidence/packs/new/")
    screenshot(page, "programme-pack-form")


def test_pack_lists_the_programme(content, officer, requester, storage_dir, signing_key, tmp_path):
    from evidence.builder import build_pack_files
    from evidence.collect.base import Scope

    AIUseRequest.objects.create(requester=requester, tool_name="Claude", purpose="Drafts")
    today = timezone.localdate()
    scope = Scope(
        regime="", system_ids=None, period_from=today - dt.timedelta(days=7), period_to=today
    )
    result = build_pack_files(scope=scope, out_dir=tmp_path, pack_no="e2e", pack_meta={"id": 0})
    with zipfile.ZipFile(result["zip_path"]) as zf:
        names = set(zf.namelist())
        assert {"programme/ai-use-requests.csv", "programme/risk-register.csv",
                "programme/control-mapping.csv", "programme/literacy-coverage.csv",
                "programme/rights-requests.csv"} <= names  # fmt: skip
        assert b"Claude" in zf.read("programme/ai-use-requests.csv")


def test_programme_pages_pass_axe_and_fit_a_phone(content, browser, live_server, officer):
    from core import demo as core_demo
    from inventory import demo as inventory_demo
    from programme import demo as programme_demo
    from tests.e2e.test_accessibility import _axe

    for module in (core_demo, inventory_demo, programme_demo):
        module.seed(stdout=io.StringIO())
    risk = Risk.objects.filter(controls__isnull=False).first()
    rights = RightsRequest.objects.first()
    request = AIUseRequest.objects.filter(status="submitted").first()
    paths = [
        "/programme/requests/", "/programme/requests/new/", f"/programme/requests/{request.pk}/",
        "/programme/risks/", "/programme/risks/new/", f"/programme/risks/{risk.pk}/",
        "/programme/controls/", "/programme/literacy/", "/programme/rights/",
        "/programme/rights/new/", f"/programme/rights/{rights.pk}/",
    ]  # fmt: skip
    problems = []
    for size, viewport in (
        ("desktop", {"width": 1280, "height": 900}),
        ("phone", {"width": 375, "height": 740}),
    ):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        try:
            sign_in(page, live_server, officer)
            for path in paths:
                response = page.goto(f"{live_server.url}{path}")
                page.wait_for_load_state("networkidle")
                assert response.status == 200, f"{path}: {response.status}"
                problems += [
                    f"{size} {path}: {v['impact']} {v['id']} {v['nodes']}"
                    for v in _axe(page, live_server.url)
                ]
                width, inner = page.evaluate(
                    "[document.documentElement.scrollWidth, window.innerWidth]"
                )
                if width > inner:
                    wide = page.evaluate(
                        "() => [...document.querySelectorAll('body *')]"
                        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
                        ".slice(0, 4).map(e => e.tagName + '#' + e.id + '.' + e.className)"
                    )
                    problems.append(
                        f"{size} {path}: scrolls sideways ({width} px > {inner} px): {wide}"
                    )
        finally:
            context.close()
    assert problems == [], "\n".join(problems)
