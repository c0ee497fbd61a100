"""The regulations pages as users see them (screenshots in var/screenshots/)."""

import io

import pytest
from django.core.management import call_command

from inventory.models import AISystem
from regulations.models import Organisation, Regime
from regulations.services import classification_run
from tests.e2e.conftest import screenshot


@pytest.fixture
def classified(transactional_db):
    call_command("load_content", no_classify=True, stdout=io.StringIO())
    org = Organisation.get()
    org.name, org.employees, org.does_business_in = "Acme", 800, ["CO", "EU", "CA"]
    org.save()
    systems = [
        AISystem.objects.create(
            name="Hiring ranker",
            model_type="ml_classifier",
            roles=["deployer"],
            jurisdictions=["CO", "DE"],
            domains=["employment"],
            decision_role="substantial_factor",
            data_categories=["employment"],
        ),
        AISystem.objects.create(
            name="Support chatbot",
            model_type="generative_app",
            roles=["deployer"],
            jurisdictions=["FR"],
            domains=["customer_service"],
            capabilities=["chatbot"],
            interacts_with_persons=True,
            consumer_facing=True,
        ),
        AISystem.objects.create(
            name="Workplace mood analytics",
            model_type="computer_vision",
            roles=["deployer"],
            jurisdictions=["DE"],
            domains=["employment"],
            capabilities=["emotion_recognition"],
            data_categories=["biometric"],
        ),
    ]
    for system in systems:
        classification_run(system=system)
    return systems


def test_regimes_versions_and_diff(classified, login, auditor, live_server):
    page = login(auditor)
    page.goto(f"{live_server.url}/regulations/")
    assert page.locator("article.regime").count() == Regime.objects.count()
    assert "enforcement stayed" in page.locator("#regime-co").inner_text().lower()
    screenshot(page, "regulations-regimes")

    page.click("#regime-co >> text=sb26-189")
    assert "Rules" in page.locator("h2#rules").inner_text()
    assert page.locator("table.content-table tr[id^=rule-] a[href^=http]").count() > 0
    screenshot(page, "regulations-version-co")

    page.goto(f"{live_server.url}/regulations/co/compare/?from=sb24-205&to=sb26-189")
    assert "Rules" in page.locator("#diff-rules h2").inner_text()
    assert page.locator("#diff-rules .diff-item").count() > 0
    screenshot(page, "regulations-diff-co")


def test_dashboard_chart_and_calendar(classified, login, officer, live_server):
    page = login(officer)
    page.goto(f"{live_server.url}/regulations/dashboard/")
    eu = page.locator("tr[data-regime=eu]").inner_text()
    assert "3" in eu  # three systems in scope of the EU AI Act
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('risk-tier-chart'))"
    )
    screenshot(page, "regulations-dashboard")
    page.goto(f"{live_server.url}/regulations/deadlines/calendar/?month=2027-12")
    assert page.locator(".cal-item").count() > 0
    screenshot(page, "regulations-calendar")
    page.goto(f"{live_server.url}/regulations/deadlines/")
    screenshot(page, "regulations-deadlines")


def test_admin_edits_the_organisation_profile(classified, login, admin_user, live_server):
    page = login(admin_user)
    page.goto(f"{live_server.url}/regulations/organisation/")
    page.fill("input[name=employees]", "12000")
    page.click("#org-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "saved" in page.locator(".messages").inner_text().lower()
    assert Organisation.get().employees == 12000
    screenshot(page, "regulations-organisation")


def test_user_creates_an_ics_feed_and_a_calendar_client_can_read_it(
    classified, login, officer, live_server
):
    from icalendar import Calendar

    page = login(officer)
    page.goto(f"{live_server.url}/regulations/calendar/")
    page.click("text=Create my feed URL")
    url = page.locator("#feed-url").input_value()
    assert url.startswith(live_server.url) and url.endswith(".ics")
    screenshot(page, "regulations-ics-token")
    feed = page.request.get(url)  # no session cookie needed: the token is the credential
    assert feed.status == 200
    events = list(Calendar.from_ical(feed.body()).walk("VEVENT"))
    assert any("Annex III high-risk" in str(e["SUMMARY"]) for e in events)
    page.click("text=Revoke")
    assert page.request.get(url).status == 404
