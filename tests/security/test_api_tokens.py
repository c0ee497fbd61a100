"""API tokens (django-rest-knox): stored as a hash, expiring, listed and revoked by their owner,
revoked on password change and deactivation, never shown in full after creation."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.models import AuditEntry
from tests.conftest import PASSWORD


def obtain(user) -> str:
    response = APIClient().post(
        reverse("api-token"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token: str) -> bool:
    return with_token(token).get(reverse("api-system-list")).status_code == 200


def test_the_readme_curl_gets_a_working_token_stored_only_as_a_hash(auditor):
    token = obtain(auditor)
    assert works(token)
    row = AuditEntry.objects.filter(action="api_token.create").get()
    assert token not in str(row.changes)
    stored = AuthToken.objects.get(user=auditor)
    assert token not in (stored.digest, stored.token_key) and len(stored.token_key) < len(token)


def test_tokens_expire_after_30_days_by_default(auditor):
    token = obtain(auditor)
    expiry = AuthToken.objects.get(user=auditor).expiry
    assert abs(expiry - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    AuthToken.objects.filter(user=auditor).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert not works(token)


def test_owner_lists_only_their_tokens_without_the_secret(auditor, officer):
    mine, theirs = obtain(auditor), obtain(officer)
    listed = with_token(mine).get(reverse("api-token-list")).json()
    assert len(listed) == 1
    assert listed[0]["token_key"] == mine[: len(listed[0]["token_key"])]
    assert mine not in str(listed) and theirs[:8] not in str(listed)
    assert {"token_key", "created", "expiry"} <= set(listed[0])


def test_owner_revokes_a_token_and_nobody_else_can(auditor, officer):
    mine = obtain(auditor)
    other = obtain(officer)
    key = AuthToken.objects.get(user=auditor).token_key
    assert with_token(other).delete(reverse("api-token-revoke", args=[key])).status_code == 404
    assert works(mine)
    assert with_token(mine).delete(reverse("api-token-revoke", args=[key])).status_code == 204
    assert not works(mine)
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1


def test_a_password_change_revokes_every_token(auditor):
    token = obtain(auditor)
    auditor.set_password("a-new-long-passphrase-77")
    auditor.save()
    assert not works(token)
    assert not AuthToken.objects.filter(user=auditor).exists()


def test_deactivation_revokes_every_token(auditor):
    token = obtain(auditor)
    auditor.is_active = False
    auditor.save(update_fields=["is_active"])
    assert not AuthToken.objects.filter(user=auditor).exists()
    auditor.is_active = True
    auditor.save(update_fields=["is_active"])
    assert not works(token)


def test_a_login_keeps_tokens(auditor, client):
    token = obtain(auditor)
    client.login(username=auditor.username, password=PASSWORD)
    client.get(reverse("home"))
    assert works(token)


def test_the_page_shows_a_new_token_once_then_only_its_prefix(client, auditor):
    client.login(username=auditor.username, password=PASSWORD)
    created = client.post(reverse("api-tokens"))
    assert created.status_code == 200
    row = AuthToken.objects.get(user=auditor)
    html = created.content.decode()
    start = html.index('id="new-token"')
    token = html[start:].split(">", 1)[1].split("<", 1)[0].strip()
    assert token.startswith(row.token_key) and works(token)
    later = client.get(reverse("api-tokens")).content.decode()
    assert row.token_key in later and token not in later
    revoked = client.post(reverse("api-token-revoke-page", args=[row.token_key]))
    assert revoked.status_code == 302 and not works(token)


def test_the_admin_never_shows_a_token(client, admin_user, auditor):
    token = obtain(auditor)
    client.login(username=admin_user.username, password=PASSWORD)
    pages = [client.get(reverse("admin:index"))]
    for model in ("knox/authtoken", "authtoken/tokenproxy", "authtoken/token"):
        pages.append(client.get(f"/admin/{model}/"))
    for page in pages:
        assert token not in page.content.decode()
    assert AuthToken.objects.get(user=auditor).token_key in pages[1].content.decode()


@pytest.mark.parametrize("days", ["7"])
def test_the_lifetime_comes_from_the_environment(monkeypatch, days):
    import importlib

    import sightline.settings as settings_module

    monkeypatch.setenv("SIGHTLINE_API_TOKEN_DAYS", days)
    reloaded = importlib.reload(settings_module)
    try:
        assert reloaded.REST_KNOX["TOKEN_TTL"] == dt.timedelta(days=7)
    finally:
        monkeypatch.delenv("SIGHTLINE_API_TOKEN_DAYS")
        importlib.reload(settings_module)


def test_a_password_hash_upgrade_at_login_keeps_tokens(auditor, settings):
    """Django re-hashes a password when the hasher changes; the password itself did not."""
    token = obtain(auditor)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    before = auditor.password
    assert auditor.check_password(PASSWORD)
    auditor.refresh_from_db()
    assert auditor.password != before and auditor.password.startswith("pbkdf2")
    assert works(token)


def test_a_single_sign_on_accounts_tokens_rest_on_a_recent_provider_sign_in(auditor):
    from core.models import OidcIdentity
    from core.tokens import api_token_create

    auditor.set_unusable_password()
    auditor.save()
    link = OidcIdentity.objects.create(
        user=auditor, issuer="https://idp.example.org", subject="a-1", last_login_at=timezone.now()
    )
    _row, token = api_token_create(user=auditor)
    assert works(token)
    link.last_login_at = timezone.now() - dt.timedelta(days=8)
    link.save()
    refused = with_token(token).get(reverse("api-system-list"))
    assert refused.status_code == 403  # DRF answers 403 when session auth is listed first
    assert "single sign-on again" in refused.json()["detail"]


def test_a_linked_account_with_a_password_keeps_its_tokens(auditor):
    from core.models import OidcIdentity

    token = obtain(auditor)
    OidcIdentity.objects.create(
        user=auditor,
        issuer="https://idp.example.org",
        subject="a-2",
        last_login_at=timezone.now() - dt.timedelta(days=90),
    )
    assert works(token)
