"""In Chromium, with the CSP on, the main pages load and HTMX works without a single CSP violation."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import screenshot
from tests.factories import AISystemFactory, VendorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("inventory:system-list", {}),
    ("inventory:vendor-list", {}),
    ("discovery:app-list", {}),
    ("discovery:finding-list", {}),
    ("regulations:deadline-list", {}),
    ("assessments:assessment-list", {}),
    ("evidence:pack-list", {}),
    ("audit-list", {}),
    ("api-docs", {}),
]


def _violations(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda msg: (
            found.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: found.append(f"page error: {exc}"))
    return found


def test_main_pages_have_no_csp_violations(page, login, live_server, officer):
    system = AISystemFactory(vendor=VendorFactory())
    violations = _violations(page)
    login(officer)
    pages = [("inventory:system-detail", {"pk": system.pk}), *PAGES]
    for route, kwargs in pages:
        page.goto(live_server.url + reverse(route, kwargs=kwargs))
        page.wait_for_load_state("networkidle")
        assert page.locator("body").inner_text().strip(), route
    page.locator(".swagger-ui .info").wait_for()
    screenshot(page, "security-csp-api-docs")
    assert page.locator(".swagger-ui .opblock").count() > 0  # Swagger UI rendered under the CSP
    assert violations == []


def test_htmx_requests_work_under_the_csp(page, login, live_server, officer):
    AISystemFactory(name="Alpha screener")
    AISystemFactory(name="Beta chatbot")
    violations = _violations(page)
    login(officer)
    page.goto(live_server.url + reverse("inventory:system-list"))
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.locator("#id_q").press_sequentially("Beta")
    page.wait_for_load_state("networkidle")
    table = page.locator("#system-table").inner_text()
    assert "Beta chatbot" in table
    assert "Alpha screener" not in table
    assert violations == []
