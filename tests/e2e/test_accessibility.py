"""Every main page, as a signed-in compliance officer: axe-core finds no serious or critical
violation, and at phone width (375 px) nothing scrolls sideways."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from core.extensions import app_hooks
from tests.e2e.conftest import screenshot

AXE = "/static/vendor/axe-core/axe.min.js"  # same origin: the CSP refuses injected inline script
BLOCKING = {"serious", "critical"}


def _demo_paths() -> list[tuple[str, str]]:
    from assessments.models import Assessment, VendorChecklist
    from discovery.models import DiscoveredApp, Finding, IngestRun
    from inventory.models import AISystem, Vendor

    system = AISystem.objects.filter(name__icontains="credit").first() or AISystem.objects.first()
    vendor = Vendor.objects.first()
    assessment = Assessment.objects.order_by("pk").first()
    finding = Finding.objects.order_by("pk").first()
    run = IngestRun.objects.order_by("pk").first()
    app = DiscoveredApp.objects.order_by("pk").first()
    paths = [
        ("dashboard", "/"),
        ("inventory", "/inventory/"),
        ("system-detail", f"/inventory/systems/{system.pk}/"),
        ("system-edit", f"/inventory/systems/{system.pk}/edit/"),
        ("vendors", "/inventory/vendors/"),
        ("vendor-detail", f"/inventory/vendors/{vendor.pk}/"),
        ("discovered-apps", "/discovery/"),
        ("findings", "/discovery/findings/"),
        ("finding-detail", f"/discovery/findings/{finding.pk}/"),
        ("runs", "/discovery/runs/"),
        ("run-detail", f"/discovery/runs/{run.pk}/"),
        ("regimes", "/regulations/"),
        ("deadlines", "/regulations/deadlines/"),
        ("calendar", "/regulations/deadlines/calendar/"),
        ("assessments", "/assessments/"),
        ("assessment-detail", f"/assessments/{assessment.pk}/"),
        ("vendor-evidence", "/assessments/vendors/"),
        ("evidence-packs", "/evidence/"),
        ("audit", "/audit/"),
        ("audit-filtered", "/audit/?action=assessment.&actor=officer"),
        ("inbox", "/inbox/"),
        ("notifications", "/account/notifications/"),
        ("system-new", "/inventory/systems/new/"),
        ("organisation", "/regulations/organisation/"),
        ("log-upload", "/discovery/runs/upload/"),
        ("blocklist", "/discovery/blocklist/"),
        ("pack-new", "/evidence/new/"),
        ("pack-verify", "/evidence/verify/"),
        ("not-found", "/inventory/systems/999999/"),
    ]
    checklist = VendorChecklist.objects.order_by("pk").first()
    if checklist is not None:
        paths.append(("checklist-detail", f"/assessments/vendors/checklists/{checklist.pk}/"))
    if app is not None:
        paths.append(("app-detail", f"/discovery/apps/{app.app_key}/"))
    paths += [("discovery-overview", "/discovery/overview/"), ("budgets", "/discovery/budgets/")]
    from discovery.models import ModelUsageDay

    used = ModelUsageDay.objects.exclude(system=None).order_by("pk").first()
    if used is not None:
        paths.append(("gateway-system", f"/inventory/systems/{used.system_id}/"))
    gateway_app = ModelUsageDay.objects.exclude(app_key="").order_by("pk").first()
    if gateway_app is not None:
        paths.append(("gateway-app", f"/discovery/apps/{gateway_app.app_key}/"))
    return paths


@pytest.fixture
def demo(transactional_db):
    """The demo data without its evidence-pack build (a PDF render adds ~15 s); a pack row stays."""
    call_command("load_content", no_classify=True, stdout=io.StringIO())
    for hook in app_hooks("seed_demo"):
        if hook.app.label != "evidence":
            hook.target(stdout=io.StringIO())
    from evidence.services import pack_create

    today = timezone.localdate()
    pack_create(
        actor=get_user_model().objects.get(username="auditor"),
        regime="eu",
        period_from=today - dt.timedelta(days=365),
        period_to=today,
        queue=False,
    )
    return get_user_model().objects.get(username="officer")


def _sign_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login/" not in page.url, "the demo officer could not sign in"


def _axe(page, base: str) -> list[dict]:
    page.add_script_tag(url=f"{base}{AXE}")
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ("
        "{id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
    )
    return [v for v in result if v["impact"] in BLOCKING]


def test_main_pages_pass_axe_and_fit_a_phone(demo, browser, live_server):
    desktop = browser.new_context(viewport={"width": 1280, "height": 900})
    phone = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    problems: list[str] = []
    try:
        pages = {"desktop": desktop.new_page(), "phone": phone.new_page()}
        for page in pages.values():
            page.set_default_timeout(20_000)
            _sign_in(page, live_server, demo)
        checked = 0
        for name, path in _demo_paths():
            for size, page in pages.items():
                response = page.goto(f"{live_server.url}{path}")
                page.wait_for_load_state("networkidle")
                expected = 404 if name == "not-found" else 200
                assert response.status == expected, f"{path}: {response.status}"
                assert page.url == f"{live_server.url}{path}", f"{path} redirected to {page.url}"
                assert page.locator("main h1").count() >= 1, f"{path} has no heading"
                for v in _axe(page, live_server.url):
                    problems.append(
                        f"{size} {path}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
                    )
                if size == "phone":
                    width, inner = page.evaluate(
                        "[document.documentElement.scrollWidth, window.innerWidth]"
                    )
                    if width > inner:
                        problems.append(f"phone {path}: scrolls sideways ({width} px > {inner} px)")
                    if name in {"dashboard", "inventory"}:
                        screenshot(page, f"phone-{name}")
                checked += 1
        assert checked == 2 * len(_demo_paths())
    finally:
        desktop.close()
        phone.close()
    assert problems == [], "\n".join(problems)


def test_phone_menu_opens_and_closes_with_its_button(demo, browser, live_server):
    phone = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        page = phone.new_page()
        _sign_in(page, live_server, demo)
        menu = page.locator("#nav-menu")
        toggle = page.locator("#nav-toggle")
        assert toggle.is_visible()
        assert not menu.is_visible()
        expect(toggle.locator(".inbox-count")).to_have_text(
            page.locator("#inbox-count").inner_text()
        )
        assert int(toggle.locator(".inbox-count").inner_text()) > 0  # the demo officer has work
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.get_by_role("link", name="Audit trail").is_visible()
        page.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert not menu.is_visible()
    finally:
        phone.close()


def test_skip_link_moves_focus_to_the_content(demo, page, live_server):
    _sign_in(page, live_server, demo)
    page.goto(f"{live_server.url}/inventory/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
