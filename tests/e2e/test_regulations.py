"""Browser flows of the regulations area: a fact change re-classifies, an override is recorded, a
deadline is marked done."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from core.models import AuditEntry
from inventory.models import AISystem
from regulations.models import Deadline, Organisation
from regulations.services import classification_run, deadline_create
from tests.e2e.conftest import screenshot


@pytest.fixture
def content(transactional_db):
    call_command("load_content", no_classify=True, stdout=io.StringIO())
    org = Organisation.get()
    org.name, org.employees, org.does_business_in = "Acme", 800, ["CO", "EU"]
    org.save()


def outcome(page, code: str) -> str:
    return page.locator(f"[data-testid=outcome-{code}]").inner_text()


def test_editing_domain_to_employment_changes_eu_and_colorado_outcomes(
    content, eager_celery, login, officer, live_server
):
    system = AISystem.objects.create(
        name="Candidate ranker",
        model_type="ml_classifier",
        roles=["deployer"],
        jurisdictions=["CO", "DE"],
        domains=["marketing"],
        decision_role="substantial_factor",
        data_categories=["contact", "employment"],
        lifecycle="in_use",
    )
    classification_run(system=system)
    page = login(officer)
    page.goto(f"{live_server.url}/inventory/systems/{system.pk}/")
    eu_before, co_before = outcome(page, "eu"), outcome(page, "co")
    assert "Annex III" not in eu_before
    assert "Covered ADMT" not in co_before

    page.click("#edit-system")
    page.uncheck("input[name=domains][value=marketing]")
    page.check("input[name=domains][value=employment]")
    page.click("#system-form button[type=submit]")
    page.wait_for_url(f"**/inventory/systems/{system.pk}/")
    page.wait_for_selector("[data-testid=outcome-eu]")

    eu_after, co_after = outcome(page, "eu"), outcome(page, "co")
    assert "Annex III point 4 (employment)" in eu_after
    assert "Covered ADMT in a consequential decision" in co_after
    eu = page.locator("#result-eu")
    assert "What changed since the previous result" in eu.inner_text()
    assert "system fact: domains" in eu.inner_text()
    eu.locator(
        "details.all-rules summary"
    ).click()  # the full rule table is behind "Show all rules"
    rationale = eu.locator(".rationale-table").inner_text()
    assert "Annex III" in rationale or "employment" in rationale
    assert page.locator("#result-eu .rationale-table a[href^='http']").count() > 0
    co_rows = page.locator("#result-co .rationale-table tr.met").count()
    assert co_rows > 0
    screenshot(page, "regulations-system-panel-after-edit")


def test_officer_opens_the_override_form_and_records_an_override(
    content, login, officer, live_server
):
    system = AISystem.objects.create(
        name="Shift planner",
        model_type="ml_classifier",
        roles=["deployer"],
        jurisdictions=["DE"],
        domains=["employment"],
        decision_role="substantial_factor",
        lifecycle="in_use",
    )
    classification_run(system=system)
    page = login(officer)
    page.goto(f"{live_server.url}/inventory/systems/{system.pk}/")
    eu = page.locator("#result-eu")
    computed = outcome(page, "eu")
    eu.locator("summary").first.click()
    assert eu.locator("textarea[name=justification]").count() == 0  # fetched only when opened
    eu.locator("details.override-form summary").click()
    form = eu.locator("details.override-form form")
    form.locator("textarea[name=justification]").wait_for()
    assert form.locator("input[name=outcome_label]").input_value() == computed
    form.locator("input[name=outcome_label]").fill("Not high-risk: narrow procedural task")
    form.locator("select[name=risk_tier]").select_option("minimal")
    form.locator("textarea[name=justification]").fill("Art 6(3)(a): it only orders shift slots.")
    form.locator("button[type=submit]").click()
    summary_row = page.locator(
        "table.result-summary tr", has=page.locator("[data-testid=outcome-eu]")
    )
    expect(summary_row).to_contain_text("Not high-risk: narrow procedural task")
    box = page.locator("#result-eu .override-box")  # the regime stays expanded after the override
    expect(box).to_be_visible()
    assert "Not high-risk: narrow procedural task" in box.inner_text()
    assert "Art 6(3)(a): it only orders shift slots." in box.inner_text()
    assert outcome(page, "eu") == computed  # the computed outcome stays beside the override
    assert AuditEntry.objects.filter(action="classification.override").count() == 1
    screenshot(page, "regulations-override-recorded")


def test_compliance_officer_marks_a_deadline_done(transactional_db, login, officer, live_server):
    deadline = deadline_create(
        actor=officer,
        title="Publish the Art 50 notice",
        kind="statutory",
        due_date=timezone.localdate() + dt.timedelta(days=10),
        regime_code="eu",
    )
    page = login(officer)
    page.goto(f"{live_server.url}/regulations/deadlines/?status=due_30")
    row = page.locator(f"#deadline-{deadline.pk}")
    assert "Due in 30 days" in row.inner_text()
    row.locator("summary").click()
    row.locator("input[name=evidence_url]").fill("https://dms.example/notices/art50")
    row.locator("button[type=submit]").click()
    done_row = page.locator(f"#deadline-{deadline.pk}")
    done_row.locator("text=Evidence").wait_for()
    assert "Done" in done_row.inner_text()
    assert done_row.locator("a").get_attribute("href") == "https://dms.example/notices/art50"
    deadline.refresh_from_db()
    assert deadline.done and deadline.completed_by == officer
    assert AuditEntry.objects.filter(
        action="deadline.complete", target_id=str(deadline.pk)
    ).exists()
    screenshot(page, "regulations-deadline-done")
    page.goto(f"{live_server.url}/regulations/deadlines/?status=done")
    assert "Done" in page.locator(f"#deadline-{deadline.pk}").inner_text()
    assert Deadline.objects.get(pk=deadline.pk).evidence_url == "https://dms.example/notices/art50"


def test_officer_sees_a_cv_ranker_is_high_risk_from_2027_12_02_and_the_change_when_a_fact_changes(
    content, eager_celery, login, officer, live_server
):
    """Issue 14: before 2027-12-02 a CV-ranking system is shown as high-risk *from* that date; changing a
    fact shows the changed badge with the outcome it had before."""
    if timezone.localdate() >= dt.date(2027, 12, 2):
        pytest.skip("the scenario is about a date before Annex III applies")
    system = AISystem.objects.create(
        name="CV ranker",
        model_type="ml_classifier",
        roles=["provider"],
        jurisdictions=["DE"],
        purposes=["recruitment_selection"],
        decision_role="supportive",
        data_categories=["employment"],
        lifecycle="in_use",
    )
    classification_run(system=system)
    page = login(officer)
    page.goto(f"{live_server.url}/inventory/systems/{system.pk}/")
    headline = page.locator("[data-testid=summary-headline-eu]")
    expect(headline).to_contain_text("High-risk from 2027-12-02")
    expect(headline).to_contain_text("Annex III point 4(a)")
    expect(page.locator("[data-testid=pending-eu]")).to_contain_text("from 2027-12-02")
    assert page.locator("[data-testid=changed-eu]").count() == 0
    eu = page.locator("#result-eu")
    eu.locator("summary").first.click()
    expect(eu.locator(".deciding-facts")).to_contain_text("Recruitment or selection")
    expect(eu.locator(".law")).to_contain_text("statute text")
    expect(eu.locator(".rationale-table")).to_be_hidden()  # behind "Show all rules"
    eu.locator("details.all-rules summary").click()
    expect(eu.locator(".rationale-table")).to_be_visible()

    page.click("#edit-system")
    page.check("input[name=art6_3_preparatory]")
    page.click("#system-form button[type=submit]")
    page.wait_for_url(f"**/inventory/systems/{system.pk}/")
    expect(page.locator("#law-facts")).to_contain_text("Art 6(3)(d): preparatory task")
    changed = page.locator("[data-testid=changed-eu]")
    expect(changed).to_contain_text("was: High-risk from 2027-12-02")
    expect(page.locator("[data-testid=summary-headline-eu]")).to_contain_text("Art 6(3)")
    screenshot(page, "regulations-pending-and-changed")
