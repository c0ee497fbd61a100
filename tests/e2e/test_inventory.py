import csv
import io
import re

from playwright.sync_api import expect

from core.models import AuditEntry
from inventory.models import AISystem
from tests.e2e.conftest import screenshot
from tests.factories import AISystemFactory, VendorFactory


def test_officer_creates_a_system_with_inline_validation(login, officer, live_server):
    page = login(officer)
    page.goto(f"{live_server.url}/inventory/")
    page.click("#new-system")
    expect(page.locator("h1")).to_have_text("New AI system")
    page.evaluate("window.__noReload = true")

    name = page.locator("#id_name")
    name.fill("x")
    name.blur()
    name.fill("")
    name.blur()  # change event -> field-level validation over HTMX
    expect(page.locator("#err-name")).to_have_text("This field is required.")
    page.fill("#id_training_flops", "-5")
    page.locator("#id_training_flops").blur()
    expect(page.locator("#err-training_flops")).to_contain_text("greater than or equal to 0")
    screenshot(page, "inventory-form-inline-errors")

    page.click(
        "#system-form button[type=submit]"
    )  # still invalid: the form partial comes back with every error
    expect(page.locator("#form-error-summary")).to_be_visible()
    expect(page.locator("#err-model_type")).to_have_text("This field is required.")
    assert page.evaluate("window.__noReload") is True  # no full page load happened

    name = page.locator("#id_name")
    name.fill("Interview scheduling assistant")
    name.blur()
    expect(page.locator("#err-name")).to_be_empty()
    page.select_option("#id_model_type", "generative_app")
    page.fill("#id_training_flops", "")
    page.check("input[name=jurisdictions][value=CO]")
    page.check("input[name=domains][value=employment]")
    page.click("#system-form button[type=submit]")

    expect(page.locator("h1")).to_have_text("Interview scheduling assistant")
    expect(page.locator(".facts")).to_contain_text(["Colorado"])
    system = AISystem.objects.get(name="Interview scheduling assistant")
    assert system.jurisdictions == ["CO"] and system.owner == officer
    assert AuditEntry.objects.filter(action="system.create", target_id=str(system.pk)).exists()
    expect(page.locator("#history")).to_contain_text("system.create")


def test_filtering_the_list_swaps_the_table_and_pushes_the_url(login, officer, live_server):
    vendor = VendorFactory(name="RentScore LLC")
    AISystemFactory(name="Tenant screening", jurisdictions=["CO"], vendor=vendor)
    AISystemFactory(name="Benefits triage", jurisdictions=["MD"], lifecycle="planned")
    AISystemFactory(name="Chat helper", jurisdictions=["DE"])
    page = login(officer)
    page.goto(f"{live_server.url}/inventory/")
    expect(page.locator("#result-count")).to_contain_text("3 systems")

    page.click("summary:has-text('Jurisdiction')")
    page.check("input[name=jurisdiction][value=MD]")
    expect(page.locator("#result-count")).to_contain_text("1 system")
    expect(page.locator("table.systems tbody")).to_contain_text("Benefits triage")
    assert "jurisdiction=MD" in page.url
    page.click("summary:has-text('Jurisdiction')")  # close it again

    page.goto(f"{live_server.url}/inventory/")
    page.fill("#id_q", "rentscore")
    expect(page.locator("#result-count")).to_contain_text("1 system")
    expect(page.locator("table.systems tbody")).to_contain_text("Tenant screening")
    assert "q=rentscore" in page.url

    page.goto(f"{live_server.url}/inventory/")
    page.click("th a.sort:has-text('Name')")
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Name")  # wait for the swap
    page.click("th a.sort:has-text('Name')")
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Name")
    expect(page.locator("table.systems tbody tr").first).to_contain_text("Tenant screening")
    assert "o=-name" in page.url


def test_auditor_sees_no_edit_buttons_and_a_post_is_refused(login, auditor, live_server):
    system = AISystemFactory(name="Credit model")
    page = login(auditor)
    page.goto(f"{live_server.url}/inventory/")
    expect(page.locator("#result-count")).to_contain_text("1 system")
    expect(page.locator("#new-system")).to_have_count(0)
    page.click("text=Credit model")
    expect(page.locator("h1")).to_have_text("Credit model")
    expect(page.locator("#edit-system")).to_have_count(0)
    expect(page.locator("#delete-system")).to_have_count(0)

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    for path in (
        "/inventory/systems/new/",
        f"/inventory/systems/{system.pk}/edit/",
        f"/inventory/systems/{system.pk}/delete/",
    ):
        response = page.request.post(
            f"{live_server.url}{path}",
            form={"name": "Hacked", "model_type": "rules"},
            headers={"X-CSRFToken": token},
        )
        assert response.status == 403, path
        # Refused by the role check, not the CSRF check: the body is the site's 403 page, not
        # Django's CSRF failure page (the site layout itself carries the token for htmx).
        body = response.text()
        assert "CSRF verification failed" not in body, path
        assert "You do not have access to this page" in body, path
    system.refresh_from_db()
    assert system.name == "Credit model"


def test_auditor_exports_the_filtered_list_as_csv(login, auditor, live_server):
    AISystemFactory(name="=cmd|' /C calc'!A0", jurisdictions=["CO"])
    AISystemFactory(name="Plain system", jurisdictions=["CO"])
    AISystemFactory(name="Elsewhere", jurisdictions=["MD"])
    page = login(auditor)
    page.goto(f"{live_server.url}/inventory/?jurisdiction=CO")
    expect(page.locator("#result-count")).to_contain_text("2 systems")
    with page.expect_download() as info:
        page.click("#export-csv")
    download = info.value
    assert re.match(r"sightline-inventory-\d{8}-\d{4}\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    assert sorted(r["name"] for r in rows) == ["'=cmd|' /C calc'!A0", "Plain system"]
    assert all(r["jurisdictions"] == "CO" for r in rows)


def test_inventory_list_screenshot(login, officer, live_server):
    """The README's screenshot: the demo inventory as an officer sees it."""
    import io as _io

    from core import demo as core_demo
    from inventory import demo as inventory_demo

    officer.first_name, officer.last_name = "Olivia", "Officer"  # as the demo user shows
    officer.save()
    core_demo.seed(stdout=_io.StringIO())
    inventory_demo.seed(stdout=_io.StringIO())
    page = login(officer)
    page.goto(f"{live_server.url}/inventory/")
    expect(page.locator("#result-count")).to_contain_text("16 systems")
    page.set_viewport_size({"width": 1440, "height": 1000})
    path = screenshot(page, "inventory-list")
    assert path.stat().st_size > 20_000
