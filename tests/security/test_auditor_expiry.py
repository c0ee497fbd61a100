"""An external auditor account: read-only, export-only, and dead after its end date."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from core.access import external_auditor_grant
from core.audit import audit_verify
from core.models import AccountExpiry, AuditEntry
from core.roles import Role, user_roles

EXTERNAL_PASSWORD = "ledger-quartz-91-Meadow"


@pytest.fixture
def external(admin_user):
    return external_auditor_grant(
        actor=admin_user,
        username="ext-auditor",
        email="ext@audit.example",
        expires_on=timezone.now().date() + dt.timedelta(days=30),
        password=EXTERNAL_PASSWORD,
    )


def _expire(user) -> None:
    AccountExpiry.objects.filter(user=user).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_grant_makes_an_auditor_with_an_end_date_and_an_audit_entry(external, admin_user):
    assert user_roles(external) == {Role.AUDITOR}
    assert external.account_expiry.expires_at.time() == dt.time(23, 59, 59)
    entry = AuditEntry.objects.get(action="account.auditor_grant")
    assert entry.actor_id == admin_user.pk
    assert entry.target_id == str(external.pk)
    assert audit_verify().ok


def test_external_auditor_reads_and_exports_but_cannot_write(client, external):
    assert _login(client, external.username, EXTERNAL_PASSWORD).status_code == 302
    assert client.get(reverse("inventory:system-list")).status_code == 200
    assert client.get(reverse("inventory:system-export")).status_code == 200
    assert client.get(reverse("evidence:pack-create")).status_code == 200
    assert client.get(reverse("inventory:system-create")).status_code == 403
    assert client.post(reverse("inventory:system-create"), {"name": "X"}).status_code == 403


def test_login_fails_after_the_end_date_with_a_clear_message(client, external):
    _expire(external)
    response = _login(client, external.username, EXTERNAL_PASSWORD)
    assert response.status_code == 200
    assert "This account expired on" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_password_on_an_expired_account_reveals_nothing(client, external):
    _expire(external)
    response = _login(client, external.username, "not-the-password")
    assert "expired" not in response.content.decode()
    assert "did not match" in response.content.decode()


def test_open_session_is_ended_when_the_end_date_passes(client, external):
    assert _login(client, external.username, EXTERNAL_PASSWORD).status_code == 302
    assert client.get(reverse("inventory:system-list")).status_code == 200
    session = client.session
    session["sightline_account_expires_at"] = (timezone.now() - dt.timedelta(seconds=1)).isoformat()
    session.save()
    response = client.get(reverse("inventory:system-list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_moving_the_end_date_signs_out_existing_sessions(client, external):
    assert _login(client, external.username, EXTERNAL_PASSWORD).status_code == 302
    expiry = external.account_expiry
    expiry.expires_at = timezone.now() - dt.timedelta(seconds=1)
    expiry.save()  # e.g. an admin in the Django admin
    response = client.get(reverse("inventory:system-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_api_token_stops_working_after_the_end_date(client, external):
    _, token = AuthToken.objects.create(user=external)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert client.get("/api/evidence-packs/", **headers).status_code == 200
    _expire(external)
    response = client.get("/api/evidence-packs/", **headers)
    assert response.status_code in {401, 403}
    assert "expired" in response.content.decode()


def test_accounts_without_an_end_date_are_unaffected(client, auditor):
    from tests.conftest import PASSWORD

    assert _login(client, auditor.username, PASSWORD).status_code == 302
    assert client.get(reverse("inventory:system-list")).status_code == 200


def test_grant_refuses_a_past_end_date_and_admins(admin_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        external_auditor_grant(
            actor=admin_user,
            username="late",
            email="late@example.com",
            expires_on=timezone.now().date() - dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError):
        external_auditor_grant(
            actor=admin_user,
            username=admin_user.username,
            email="a@example.com",
            expires_on=timezone.now().date(),
        )


def test_grant_auditor_command_creates_the_account(db):
    out = io.StringIO()
    until = (timezone.now().date() + dt.timedelta(days=7)).isoformat()
    call_command(
        "grant_auditor", "cmd-auditor", "--email", "c@example.com", "--until", until, stdout=out
    )
    user = get_user_model().objects.get(username="cmd-auditor")
    assert user_roles(user) == {Role.AUDITOR}
    assert f"until {until}" in out.getvalue()
    password = out.getvalue().split("): ")[-1].strip()
    assert user.check_password(password)
    with pytest.raises(CommandError):
        call_command("grant_auditor", "x", "--email", "x@example.com", "--until", "tomorrow")
