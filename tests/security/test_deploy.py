"""Production settings: `check --deploy` clean, secure cookies, HSTS; secrets only from the environment."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
PROD_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-Z9kP2qL7vR4mN8tW1yB6cH3jF5gD0sA-" + "y" * 20,
    "ALLOWED_HOSTS": "sightline.example.org",
    "SIGHTLINE_BASE_URL": "https://sightline.example.org",
    "DATABASE_URL": "sqlite:///" + str(BASE / "var" / "deploy-check.sqlite3"),
}


def _run(args: list[str], env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args], cwd=BASE, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_has_no_security_warnings():
    result = _run(
        ["manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
        PROD_ENV,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({k: getattr(s, k, None) for k in [
 "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
 "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "X_FRAME_OPTIONS",
 "SECURE_CONTENT_TYPE_NOSNIFF", "SESSION_COOKIE_HTTPONLY"]}))
"""


def test_production_settings_turn_on_secure_cookies_and_hsts():
    result = _run(["-c", PROBE], {**PROD_ENV, "DJANGO_SETTINGS_MODULE": "sightline.settings"})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PROD_ENV.items() if k != "SECRET_KEY"}
    result = _run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


SECRET_ASSIGN = re.compile(
    r"""^\s*[A-Z_]*(SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE_KEY)[A-Z_]*\s*=\s*(['"])(?P<value>[^'"]+)\2""",
    re.M,
)


def test_settings_hold_no_literal_secrets():
    text = (BASE / "sightline" / "settings.py").read_text()
    found = [m.group(0).strip() for m in SECRET_ASSIGN.finditer(text)]
    # The only literal is the development key, which is used solely when DEBUG is on.
    assert found == ['SECRET_KEY = "insecure-development-key-only-used-with-debug-on"'], found
    assert 'os.environ.get("SECRET_KEY"' in text
    assert 'raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")' in text


def test_no_private_keys_or_credentials_are_committed():
    files = subprocess.run(
        ["git", "ls-files"], cwd=BASE, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = []
    for name in files:
        path = BASE / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        if name.startswith("tests/fixtures/") or name.endswith((".png", ".pdf", ".gz", ".zip")):
            continue
        text = path.read_bytes().decode("utf-8", "ignore")
        if "-----BEGIN " + "PRIVATE KEY-----" in text or "-----BEGIN OPENSSH " + "PRIVATE" in text:
            offenders.append(name)
        if re.search(r"postgres(?:ql)?://[^:/@\s]+:[^@\s]+@", text):
            offenders.append(name)
    assert offenders == []
