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
from tests.e2e.conftest import forget_session, screenshot

pytestmark = pytest.mark.usefixtures("storage_dir")


@pytest.fixture
def content(transactional_db, eager_celery):
    call_command("load_content", no_classify=True, stdout=io.StringIO())


def sign_in(page, live_server, user):
    forget_session(page)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # signed in before the next page
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


def _lender(officer):
    """A Colorado lending system, classified: it needs the CO pre-use and adverse-outcome
    notices and triggers obligations the controls library maps."""
    from inventory.services import ai_system_create
    from regulations.services.classification import classification_run

    system = ai_system_create(
        actor=officer,
        data={"name": "LoanScore", "description": "Scores loan applications.",
              "model_type": "ml_classifier", "roles": ["deployer"], "jurisdictions": ["CO"],
              "domains": ["lending_financial"], "decision_role": "substantial_factor",
              "data_categories": ["financial"], "owner": officer},
    )  # fmt: skip
    classification_run(system=system)
    return system


def test_pack_lists_the_programme(content, officer, requester, storage_dir, signing_key, tmp_path):
    import hashlib
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from evidence.builder import build_pack_files
    from evidence.collect.base import Scope
    from programme.literacy import completions_import, training_module_create
    from programme.rights import rights_request_create, rights_rules
    from programme.risk_services import risk_control_map, risk_control_update, risk_create
    from programme.selectors import control_library, risk_categories
    from programme.services import ai_use_request_submit

    today = timezone.localdate()
    ai_use_request_submit(actor=requester, data={"tool_name": "Claude", "purpose": "Drafts"})
    system = _lender(officer)
    risk = risk_create(
        actor=officer,
        data={"system": system, "title": "Applicants not told", "likelihood": 3, "impact": 4,
              "category": risk_categories().first()},
    )  # fmt: skip
    mapping = risk_control_map(
        actor=officer, risk=risk, control=control_library().get(code="iso42001.A.8.2")
    )
    risk_control_update(
        actor=officer, mapping=mapping, status="implemented", note="",
        upload=SimpleUploadedFile("notice-proof.pdf", samples.PDF),
    )  # fmt: skip
    training_module_create(actor=officer, data={"title": "AI basics"})
    completions_import(
        actor=officer, filename="lms.csv",
        content=f"email,module,date\nann@example.com,AI basics,{today}\n".encode(),
    )  # fmt: skip
    rights_request_create(
        actor=officer,
        data={"rule": rights_rules().get(code="ccpa.access"), "reference": "DSAR-9",
              "received_on": today - dt.timedelta(days=3)},
    )  # fmt: skip
    scope = Scope(
        regime="", system_ids=None, period_from=today - dt.timedelta(days=7), period_to=today
    )
    result = build_pack_files(scope=scope, out_dir=tmp_path, pack_no="e2e", pack_meta={"id": 0})
    with zipfile.ZipFile(result["zip_path"]) as zf:
        names = set(zf.namelist())
        expected = {"programme/ai-use-requests.csv", "programme/risk-register.csv",
                    "programme/control-mapping.csv", "programme/control-obligations.csv",
                    "programme/notices.csv", "programme/obligation-evidence.csv",
                    "programme/literacy-coverage.csv", "programme/rights-requests.csv",
                    f"programme/notices/{system.pk}-loanscore-co.pre-use.md"}  # fmt: skip
        assert expected <= names, expected - names
        listed = {f["path"]: f["sha256"] for f in json.loads(zf.read("manifest.json"))["files"]}
        for name in expected:  # the signed manifest lists each with its hash
            assert listed[name] == hashlib.sha256(zf.read(name)).hexdigest(), name
        assert b"Claude" in zf.read("programme/ai-use-requests.csv")
        assert b"Applicants not told" in zf.read("programme/risk-register.csv")
        mapping_csv = zf.read("programme/control-obligations.csv").decode()
        evidence_sha = hashlib.sha256(samples.PDF).hexdigest()
        assert "co-04,Pre-use notice to consumers" in mapping_csv
        assert "iso42001.A.8.2" in mapping_csv and evidence_sha in mapping_csv
        assert b"co.adverse-outcome" in zf.read("programme/notices.csv")
        assert b"LoanScore" in zf.read(f"programme/notices/{system.pk}-loanscore-co.pre-use.md")
        assert b"eu-02,AI-literacy coverage" in zf.read("programme/obligation-evidence.csv")
        assert b"Everyone,1,1,100" in zf.read("programme/literacy-coverage.csv")
        assert b"ccpa" in zf.read("programme/rights-requests.csv").lower()


def test_a_finding_becomes_a_request_the_person_answers(
    content, page, live_server, requester, officer
):
    from tests.discovery.factories import FindingFactory

    t0 = timezone.now() - dt.timedelta(days=3)
    finding = FindingFactory(
        title="Claude used with no sanctioned AI system", dedupe_key="unsanctioned_use:claude",
        app_key="claude", first_seen=t0, last_seen=t0,
        evidence={"top_users": [{"identity": "requester@example.com", "requests": 48}]},
    )  # fmt: skip
    sign_in(page, live_server, officer)
    page.goto(f"{live_server.url}/discovery/findings/{finding.pk}/")
    screenshot(page, "programme-finding-ask")
    page.click("#ask-person-submit")
    expect(page.locator("#request-status")).to_have_text("Asked to tell us")
    expect(page.locator("main")).to_contain_text("You used Claude 48 times")
    item = AIUseRequest.objects.get(finding=finding)
    assert item.requester == requester

    sign_in(page, live_server, requester)
    page.goto(f"{live_server.url}/programme/requests/")
    row = page.locator("#requests tr", has_text="claude")
    expect(row).to_contain_text("Asked to tell us")
    page.goto(f"{live_server.url}/programme/requests/{item.pk}/")
    page.fill("#complete-form #id_purpose", "Summarise support tickets")
    page.fill("#complete-form #id_team", "Support")
    screenshot(page, "programme-finding-answer")
    page.click("#complete-form button[type=submit]")
    expect(page.locator("#request-status")).to_have_text("Submitted")

    sign_in(page, live_server, officer)
    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator("main")).to_contain_text("Claude for requester")


def test_notices_and_obligations_on_the_system_page(content, page, live_server, officer, tmp_path):
    system = _lender(officer)
    sign_in(page, live_server, officer)
    page.goto(f"{live_server.url}/inventory/systems/{system.pk}/")
    expect(page.locator("#system-notices")).to_contain_text("Pre-use notice")
    expect(page.locator("#system-notices")).to_contain_text("Adverse-decision explanation")
    page.click("#system-notices-link")
    notice = page.locator('[id="notice-co.pre-use"]')
    expect(notice).to_contain_text("uses LoanScore")
    expect(notice).to_contain_text("Scores loan applications.")
    screenshot(page, "programme-notices")
    with page.expect_download() as download:
        notice.locator(".notice-md").click()
    text = download.value.path().read_text()
    assert text.startswith("# Notice") and "C.R.S. 6-1-1704(1)-(2)" in text
    page.goto(f"{live_server.url}/inventory/systems/{system.pk}/")
    page.click("#system-obligations-link")
    expect(page.locator("#obligation-co-04")).to_contain_text("iso42001.A.8.2")
    control = page.locator('#obligation-co-04 [data-control="iso42001.A.8.2"]')
    control.locator("summary").click()
    control.locator("select[name=status]").select_option("implemented")
    proof = tmp_path / "pre-use-notice.pdf"
    proof.write_bytes(samples.PDF)
    control.locator("input[type=file]").set_input_files(str(proof))
    control.get_by_role("button", name="Save").click()
    row = page.locator("#obligation-co-04")
    expect(row.locator(".control-status")).to_have_text("Implemented")
    expect(row).to_contain_text("pre-use-notice.pdf")
    expect(row.locator("td.num")).to_have_text("1 / 1")
    screenshot(page, "programme-obligations")


def test_an_answer_is_linked_to_its_risk_on_the_assessment_page(
    transactional_db, page, live_server, officer
):
    from assessments.services import assessment_start
    from programme.content_loader import load_programme_content
    from programme.risk_services import risk_create
    from programme.selectors import risk_categories
    from tests.assessments import factories

    load_programme_content()
    system = factories.classified_system()
    system.capabilities = ["retrieval"]
    system.save()
    assessment = assessment_start(actor=officer, system=system, template=factories.fria())
    risk_create(
        actor=officer,
        data={"system": system, "title": "Older applicants ranked lower", "likelihood": 3,
              "impact": 5, "category": risk_categories().first()},
    )  # fmt: skip
    sign_in(page, live_server, officer)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    expect(page.locator("#carried-controls")).to_contain_text("owasp-llm.LLM08")
    page.select_option("#link-question", "a.frequency")
    page.select_option("#link-risk", label="Older applicants ranked lower")
    page.fill("#link-note", "Mitigated by the quarterly bias test")
    page.click("#link-answer")
    expect(page.locator("#answer-link-table")).to_contain_text("Older applicants ranked lower")
    page.locator("#answer-links").scroll_into_view_if_needed()
    screenshot(page, "programme-answer-links")


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
    lender = _lender(officer)
    paths = [
        "/programme/requests/", "/programme/requests/new/", f"/programme/requests/{request.pk}/",
        "/programme/risks/", "/programme/risks/new/", f"/programme/risks/{risk.pk}/",
        "/programme/controls/", "/programme/literacy/", "/programme/rights/",
        "/programme/rights/new/", f"/programme/rights/{rights.pk}/",
        f"/programme/systems/{lender.pk}/notices/", f"/programme/systems/{lender.pk}/obligations/",
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
