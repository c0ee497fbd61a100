"""Login lockout (django-axes), password validators and session expiry."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_wrong_password_shows_a_clear_error_and_is_counted(client, officer):
    from axes.models import AccessAttempt

    response = _login(client, officer.username, "wrong")
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert AccessAttempt.objects.get(username=officer.username).failures_since_start == 1


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_even_for_the_right_password(client, officer):
    for _ in range(2):
        assert _login(client, officer.username, "wrong").status_code == 200
    locked = _login(client, officer.username, "wrong")
    assert locked.status_code == 429
    assert "Too many failed login attempts" in locked.content.decode()
    again = _login(client, officer.username, PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_of_one_user_does_not_block_another(client, officer, auditor):
    for _ in range(3):
        _login(client, officer.username, "wrong")
    response = _login(client, auditor.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(auditor.pk)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_successful_login_resets_the_failure_count(client, officer):
    for _ in range(2):
        _login(client, officer.username, "wrong")
    assert _login(client, officer.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(2):
        _login(client, officer.username, "wrong")
    assert _login(client, officer.username, PASSWORD).status_code == 302


def test_many_test_client_logins_never_lock_out(client, officer):
    for _ in range(3):
        assert not client.login(username=officer.username, password="wrong")
    for _ in range(20):
        assert client.login(username=officer.username, password=PASSWORD)


@pytest.mark.parametrize(
    "password",
    ["short1!", "password123", "12345678901234", "officer2024", "qwertyuiop"],
)
def test_weak_passwords_are_rejected(officer, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=officer)


def test_a_strong_password_is_accepted(officer):
    validate_password("violet-anchor-47-Harbour", user=officer)


def test_sessions_expire_after_the_configured_age(client, officer, settings):
    _login(client, officer.username, PASSWORD)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert client.get(reverse("inventory:system-list")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("inventory:system-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
