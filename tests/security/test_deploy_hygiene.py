"""Deployment hygiene: demo data is not seeded into production by accident, `check --deploy`
names demo accounts and loose key permissions, and signed-in pages are never cached."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from core.checks import deploy_hygiene_check
from tests.conftest import PASSWORD


def test_seed_demo_refuses_without_debug(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--i-know"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="officer").exists()


def test_seed_demo_runs_without_debug_when_told(settings, db):
    settings.DEBUG = False
    from core.demo import seed

    seed(stdout=io.StringIO())  # only core's users; the whole command is slower
    call_command("seed_demo", "--i-know", stdout=io.StringIO())
    assert get_user_model().objects.filter(username="officer").exists()


@pytest.fixture
def key(settings, tmp_path):
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o700)
    path = folder / "pack-signing.ed25519"
    path.write_bytes(b"key")
    path.chmod(0o600)
    settings.SIGHTLINE_PACK_SIGNING_KEY_PATH = path
    settings.SIGHTLINE_BASE_URL = "https://sightline.example.org"
    return path


def ids(db_checks=True) -> set[str]:
    return {m.id for m in deploy_hygiene_check(databases=["default"] if db_checks else None)}


def test_a_tidy_deployment_has_no_warnings(key, db):
    assert ids() == set()


def test_demo_user_is_named(key, db):
    from core.demo import seed

    seed(stdout=io.StringIO())
    messages = deploy_hygiene_check(databases=["default"])
    assert [m.id for m in messages] == ["sightline.W301"]
    assert "officer" in messages[0].msg


def test_signing_key_readable_by_others(key, db):
    key.chmod(0o644)
    assert ids() == {"sightline.W302"}


def test_key_folder_not_private(key, db):
    key.parent.chmod(0o755)
    try:
        assert ids() == {"sightline.W303"}
    finally:
        key.parent.chmod(0o700)


def test_base_url_unset(key, db, settings):
    settings.SIGHTLINE_BASE_URL = ""
    assert ids() == {"sightline.W304"}


def test_check_deploy_command_reports_them(key, db):
    from django.core.management.base import SystemCheckError

    key.chmod(0o640)
    with pytest.raises(SystemCheckError, match="sightline.W302"):
        call_command("check", "--deploy", "--fail-level", "WARNING", stdout=io.StringIO())


@pytest.mark.parametrize("name", ["home", "inventory:system-list", "audit-list"])
def test_signed_in_pages_are_not_stored(client, auditor, name):
    client.login(username=auditor.username, password=PASSWORD)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response.get("Cache-Control", "")


def test_token_api_answers_are_not_stored(auditor):
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=auditor)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api.get(reverse("api-system-list"))
    assert response.status_code == 200
    assert "no-store" in response.get("Cache-Control", "")
