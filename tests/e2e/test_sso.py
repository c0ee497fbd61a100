"""Single sign-on in a real browser against a real OpenID provider (tests/sso/provider/)."""

import copy
import re

import pytest
from playwright.sync_api import expect

from core.roles import Role, user_roles
from tests.e2e.conftest import screenshot
from tests.sso.harness import oidc_provider  # noqa: F401 - the provider process, per session


@pytest.fixture
def sso_site(settings, live_server, oidc_provider):  # noqa: F811
    oidc_provider.register(
        redirect_uris=["http://testserver/sso/callback/", f"{live_server.url}/sso/callback/"],
        post_logout_uris=["http://testserver/login/", f"{live_server.url}/login/"],
    )
    settings.SIGHTLINE_OIDC = oidc_provider.sightline_settings()
    settings.SIGHTLINE_LOCAL_LOGIN = False
    settings.SIGHTLINE_BREAK_GLASS_USER = "rescue"
    # What sightline/settings.py derives from SIGHTLINE_OIDC_DISCOVERY_URL: the sign-out form's
    # answer may send the browser on to the provider.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(oidc_provider.url)
    settings.CONTENT_SECURITY_POLICY = policy
    return oidc_provider


def _sign_in_at_provider(page, provider, username: str) -> None:
    expect(page).to_have_url(re.compile(re.escape(f"{provider.url}/accounts/login/")))
    page.fill("#op-username", username)
    page.fill("#op-password", "op-pass")
    page.click("#op-submit")


def test_sign_in_with_the_provider_lands_on_the_dashboard_and_sign_out_ends_both_sessions(
    page, live_server, sso_site, django_user_model
):
    sso_site.set_user("olivia", groups=["sightline-officers"])
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("details.break-glass summary")).to_have_text(
        "Emergency administrator sign-in"
    )
    screenshot(page, "sso-login")
    page.get_by_role("button", name="Sign in with Test IdP").click()
    _sign_in_at_provider(page, sso_site, "olivia")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text("Dashboard")
    olivia = django_user_model.objects.get(username="olivia")
    assert user_roles(olivia) == {Role.COMPLIANCE_OFFICER}

    # Sign-out goes through the provider's end-session endpoint and back to Sightline's login.
    with page.expect_request(re.compile(re.escape(f"{sso_site.issuer}/logout/"))):
        page.locator("form[action='/logout/'] button").click()
    expect(page).to_have_url(f"{live_server.url}/login/")
    # The provider's own session ended too: signing in again asks for the password.
    page.get_by_role("button", name="Sign in with Test IdP").click()
    expect(page.locator("#op-username")).to_be_visible()


def test_a_removed_group_loses_access_on_next_browser_sign_in(page, live_server, sso_site):
    sso_site.set_user("rafael", groups=["sightline-auditors"])
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("button", name="Sign in with Test IdP").click()
    _sign_in_at_provider(page, sso_site, "rafael")
    expect(page.locator("h1")).to_have_text("Dashboard")
    page.locator("form[action='/logout/'] button").click()
    expect(page).to_have_url(f"{live_server.url}/login/")

    sso_site.set_user("rafael", groups=["former-staff"])
    page.get_by_role("button", name="Sign in with Test IdP").click()
    _sign_in_at_provider(page, sso_site, "rafael")
    expect(page.locator("h1")).to_have_text("You do not have access to this page")
    expect(page.locator("main")).to_contain_text("has no Sightline role yet")
