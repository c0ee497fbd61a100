"""Single sign-on against a real OpenID provider (django-oauth-toolkit in its own process).

The Django test client plays Sightline's side; httpx plays the person at the provider, whose login
form, authorization endpoint, token endpoint (with PKCE), JWKS and user info all really answer.
"""

import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from core.audit import audit_verify
from core.models import AuditEntry, OidcIdentity
from core.roles import Role, user_roles
from core.sso.config import claim_groups, parse_role_map, sso_settings_check
from tests.conftest import PASSWORD, make_user
from tests.sso.harness import provider_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def sso(settings, oidc_provider):
    settings.SIGHTLINE_OIDC = oidc_provider.sightline_settings()
    return oidc_provider


def sign_in(client, provider, username, *, password="op-pass", next_url=""):
    """The whole authorization-code flow; returns Sightline's answer to the callback."""
    start = client.get(reverse("sso-login") + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content
    assert start["Location"].startswith(f"{provider.issuer}/authorize/")
    callback = provider_sign_in(start["Location"], username=username, password=password)
    parts = urlsplit(callback)
    assert parts.path == reverse("sso-callback")
    return client.get(f"{parts.path}?{parts.query}")


def test_authorization_request_carries_state_nonce_and_pkce(client, sso):
    location = client.get(reverse("sso-login"))["Location"]
    params = parse_qs(urlsplit(location).query)
    assert params["client_id"] == ["sightline-test"]
    assert params["redirect_uri"] == ["http://testserver/sso/callback/"]
    assert params["scope"] == ["openid email profile groups"]
    assert params["code_challenge_method"] == ["S256"]
    assert len(params["state"][0]) >= 32 and len(params["nonce"][0]) >= 32


@pytest.mark.parametrize(
    ("group", "role"),
    [
        ("sightline-officers", Role.COMPLIANCE_OFFICER),
        ("sightline-buyers", Role.PROCUREMENT),
        ("sightline-auditors", Role.AUDITOR),
        ("sightline-admins", Role.ADMIN),
    ],
)
def test_each_mapped_group_gives_its_role_and_lands_on_the_dashboard(client, sso, group, role):
    sso.set_user(f"p-{role}", groups=[group, "unrelated-group"])
    response = sign_in(client, sso, f"p-{role}")
    assert response.status_code == 302 and response["Location"] == "/"
    user = get_user_model().objects.get(username=f"p-{role}")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user_roles(user) == {role}
    assert user.is_staff == (role == Role.ADMIN)
    assert not user.has_usable_password()
    assert user.email == f"p-{role}@example.com"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert b"Dashboard" in dashboard.content


def test_a_group_removed_at_the_provider_loses_the_role_on_next_sign_in(client, sso):
    sso.set_user("mover", groups=["sightline-officers", "sightline-auditors"])
    sign_in(client, sso, "mover")
    user = get_user_model().objects.get(username="mover")
    assert user_roles(user) == {Role.COMPLIANCE_OFFICER, Role.AUDITOR}

    client.post(reverse("logout"))
    sso.set_user("mover", groups=["sightline-auditors"])
    sign_in(client, sso, "mover")
    user = get_user_model().objects.get(username="mover")
    assert user_roles(user) == {Role.AUDITOR}
    assert not user.has_perm("inventory.change_aisystem")
    entry = AuditEntry.objects.filter(action="account.sso_sync", target_id=str(user.pk)).first()
    assert entry.changes["roles"] == [
        sorted([Role.AUDITOR, Role.COMPLIANCE_OFFICER]),
        [Role.AUDITOR],
    ]

    client.post(reverse("logout"))
    sso.set_user("mover", groups=[])
    sign_in(client, sso, "mover")
    assert user_roles(get_user_model().objects.get(username="mover")) == set()
    assert client.get("/").status_code == 403
    assert audit_verify().ok


def test_claims_that_map_to_no_role_get_the_no_role_page(client, sso):
    sso.set_user("stranger", groups=["marketing"])
    response = sign_in(client, sso, "stranger")
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 403
    assert "has no Sightline role yet" in page.content.decode()


def test_the_same_subject_keeps_its_user_and_only_one_link_exists(client, sso):
    sso.set_user("steady", groups=["sightline-auditors"])
    sign_in(client, sso, "steady")
    client.post(reverse("logout"))
    sign_in(client, sso, "steady")
    user = get_user_model().objects.get(username="steady")
    link = OidcIdentity.objects.get(user=user)
    assert link.issuer == sso.issuer
    assert link.last_login_at is not None
    assert AuditEntry.objects.filter(action="account.sso_link", target_id=str(user.pk)).count() == 1


def test_next_is_kept_through_the_provider(client, sso):
    sso.set_user("deep", groups=["sightline-officers"])
    response = sign_in(client, sso, "deep", next_url="/inventory/")
    assert response["Location"] == "/inventory/"


def test_a_provider_name_colliding_with_the_break_glass_account_is_refused(client, sso, settings):
    settings.SIGHTLINE_BREAK_GLASS_USER = "rescue"
    make_user("rescue", Role.ADMIN)
    sso.set_user("rescue", groups=["sightline-admins"])
    response = sign_in(client, sso, "rescue")
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert not OidcIdentity.objects.exists()
    page = client.get(reverse("login"))
    assert "cannot be used with single sign-on" in page.content.decode()


def test_a_wrong_client_secret_fails_at_the_token_endpoint(client, sso, settings):
    settings.SIGHTLINE_OIDC = sso.sightline_settings(CLIENT_SECRET="not-the-secret")
    sso.set_user("eve", groups=["sightline-admins"])
    response = sign_in(client, sso, "eve")
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(username="eve").exists()


def test_an_id_token_for_another_issuer_is_refused(client, sso, settings):
    settings.SIGHTLINE_OIDC = sso.sightline_settings(ISSUER="https://idp.example.com/other")
    sso.set_user("eve2", groups=["sightline-admins"])
    response = sign_in(client, sso, "eve2")
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_replayed_callback_does_not_sign_in(client, sso):
    sso.set_user("replay", groups=["sightline-officers"])
    start = client.get(reverse("sso-login"))
    callback = urlsplit(provider_sign_in(start["Location"], username="replay", password="op-pass"))
    assert client.get(f"{callback.path}?{callback.query}")["Location"] == "/"
    client.post(reverse("logout"))
    replayed = client.get(f"{callback.path}?{callback.query}")
    assert replayed["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_logout_redirects_to_the_providers_end_session_endpoint(client, sso):
    sso.set_user("leaver", groups=["sightline-auditors"])
    sign_in(client, sso, "leaver")
    id_token = client.session["oidc_id_token"]
    response = client.post(reverse("logout"))
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{sso.issuer}/logout/"
    params = parse_qs(location.query)
    assert params["id_token_hint"] == [id_token]
    assert params["post_logout_redirect_uri"] == ["http://testserver/login/"]
    assert "_auth_user_id" not in client.session
    # The provider accepts it and sends the browser back to Sightline's login page.
    answer = httpx.get(response["Location"], follow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["location"] == "http://testserver/login/"


def test_password_sign_out_stays_local(client, officer, sso):
    client.login(username=officer.username, password=PASSWORD)
    assert client.post(reverse("logout"))["Location"] == reverse("login")


def test_login_page_offers_the_provider(client, sso):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Test IdP" in page
    assert 'href="/sso/login/"' in page


def test_sso_pages_are_404_when_not_configured(client, settings):
    settings.SIGHTLINE_OIDC = {}
    assert client.get(reverse("sso-login")).status_code == 404
    assert client.get(reverse("sso-callback")).status_code == 404
    assert "Sign in with" not in client.get(reverse("login")).content.decode()


# Local passwords switched off, except the break-glass admin -----------------------------------


@pytest.fixture
def sso_only(settings, sso):
    settings.SIGHTLINE_LOCAL_LOGIN = False
    settings.SIGHTLINE_BREAK_GLASS_USER = "rescue"
    return sso


def _password_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_local_login_off_refuses_a_right_password(client, sso_only, officer):
    response = _password_login(client, officer.username, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Emergency administrator sign-in" in response.content.decode()


def test_local_login_off_still_admits_the_break_glass_admin(client, sso_only):
    rescue = make_user("rescue", Role.ADMIN)
    response = _password_login(client, "rescue", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(rescue.pk)


def test_local_login_off_refuses_api_tokens_by_password(client, sso_only, officer):
    response = client.post(
        reverse("api-token"), {"username": officer.username, "password": PASSWORD}
    )
    assert response.status_code == 400


def test_local_login_off_ends_existing_password_sessions(client, settings, officer):
    client.login(username=officer.username, password=PASSWORD)
    assert client.get("/").status_code == 200
    settings.SIGHTLINE_LOCAL_LOGIN = False
    assert client.get("/").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_break_glass_account_is_locked_out_after_repeated_failures(client, sso_only):
    make_user("rescue", Role.ADMIN)
    for _ in range(2):
        assert _password_login(client, "rescue", "wrong").status_code == 200
    assert _password_login(client, "rescue", "wrong").status_code == 429
    locked = _password_login(client, "rescue", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed login attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_password_attempts_on_other_accounts_still_count_when_local_login_is_off(
    client, sso_only, officer
):
    for _ in range(3):
        _password_login(client, officer.username, PASSWORD)
    assert AccessAttempt.objects.get(username=officer.username).failures_since_start == 3
    assert _password_login(client, officer.username, PASSWORD).status_code == 429


def test_sso_still_works_when_local_login_is_off(client, sso_only):
    sso_only.set_user("only-sso", groups=["sightline-officers"])
    assert sign_in(client, sso_only, "only-sso")["Location"] == "/"
    assert client.get("/").status_code == 200


@override_settings(AXES_FAILURE_LIMIT=2)
def test_failed_provider_sign_ins_do_not_lock_out_single_sign_on(client, sso, settings):
    """The lockout guards passwords; a failed code exchange is no password guess, and counting it
    (with no user name) would lock everyone behind the same address out of single sign-on."""
    sso.set_user("after-failures", groups=["sightline-officers"])
    settings.SIGHTLINE_OIDC = sso.sightline_settings(CLIENT_SECRET="not-the-secret")
    for _ in range(3):
        assert sign_in(client, sso, "after-failures")["Location"] == reverse("login")
    settings.SIGHTLINE_OIDC = sso.sightline_settings()
    assert sign_in(client, sso, "after-failures")["Location"] == "/"
    assert client.get("/").status_code == 200


# Configuration ---------------------------------------------------------------------------------


def test_role_map_names_groups_and_roles_and_refuses_unknown_roles():
    mapping = parse_role_map("ops=admin, gov officers = compliance_officer,ops=auditor,")
    assert mapping == {
        "ops": frozenset({Role.ADMIN, Role.AUDITOR}),
        "gov officers": frozenset({Role.COMPLIANCE_OFFICER}),
    }
    with pytest.raises(ImproperlyConfigured, match="'superuser' is not a Sightline role"):
        parse_role_map("ops=superuser")
    with pytest.raises(ImproperlyConfigured, match="not of the form group=role"):
        parse_role_map("ops")


def test_nested_and_string_group_claims_are_read():
    claims = {"realm_access": {"roles": ["a", "b"]}, "groups": "x y,z"}
    assert claim_groups(claims, "realm_access.roles") == {"a", "b"}
    assert claim_groups(claims, "groups") == {"x", "y", "z"}
    assert claim_groups(claims, "missing.path") == set()


def test_check_reports_a_bad_role_map_and_a_site_nobody_can_enter(settings):
    settings.SIGHTLINE_OIDC = {
        "CLIENT_ID": "x",
        "DISCOVERY_URL": "https://idp",
        "ROLE_MAP": "a=boss",
    }
    assert [m.id for m in sso_settings_check()] == ["sightline.E201"]
    settings.SIGHTLINE_OIDC = {"CLIENT_ID": "x"}
    settings.SIGHTLINE_LOCAL_LOGIN = False
    settings.SIGHTLINE_BREAK_GLASS_USER = ""
    assert {m.id for m in sso_settings_check()} == {"sightline.W202", "sightline.E202"}


def test_settings_let_the_sign_out_form_leave_for_the_provider():
    env = {
        **os.environ,
        "DEBUG": "1",
        "SIGHTLINE_OIDC_DISCOVERY_URL": "https://login.example.com/t/v2.0/.well-known/openid-configuration",
        "SIGHTLINE_OIDC_END_SESSION_ENDPOINT": "https://logout.example.net/end",
    }
    code = "from sightline import settings as s; print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[\"'self'\", 'https://login.example.com', 'https://logout.example.net']"


def test_a_deactivated_account_cannot_sign_in_through_the_provider(client, sso):
    sso.set_user("gone", groups=["sightline-officers"])
    sign_in(client, sso, "gone")
    client.post(reverse("logout"))
    get_user_model().objects.filter(username="gone").update(is_active=False)
    response = sign_in(client, sso, "gone")
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert "deactivated" in client.get(reverse("login")).content.decode()


def test_a_deactivated_accounts_open_sso_session_ends(client, sso):
    sso.set_user("leaving", groups=["sightline-officers"])
    sign_in(client, sso, "leaving")
    assert client.get("/").status_code == 200
    get_user_model().objects.filter(username="leaving").update(is_active=False)
    assert client.get("/").status_code == 302
