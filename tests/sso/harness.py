"""Starts the test OpenID provider (tests/sso/provider/) in its own gunicorn process on a free port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "sightline-test"
CLIENT_SECRET = "sightline-test-secret-0123456789"
ROLE_MAP = (
    "sightline-officers=compliance_officer,sightline-buyers=procurement,"
    "sightline-auditors=auditor,sightline-admins=admin"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    url: str
    data: Path
    env: dict

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def set_user(self, username: str, *, password: str = "op-pass", groups=(), email=None) -> None:
        """Adds or changes a person at the provider; it is read on the next sign-in."""
        path = self.data / "users.json"
        people = json.loads(path.read_text()) if path.exists() else {}
        people[username] = {
            "password": password,
            "email": email or f"{username}@example.com",
            "given_name": username.title(),
            "family_name": "Tester",
            "groups": list(groups),
        }
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(people))
        tmp.replace(path)

    def register(self, *, redirect_uris: list[str], post_logout_uris: list[str]) -> None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.sso.provider.bootstrap",
                "--client-id",
                CLIENT_ID,
                "--client-secret",
                CLIENT_SECRET,
                *[arg for uri in redirect_uris for arg in ("--redirect-uri", uri)],
                *[arg for uri in post_logout_uris for arg in ("--post-logout-uri", uri)],
            ],
            cwd=ROOT,
            env=self.env,
            check=True,
            timeout=120,
        )

    def sightline_settings(self, **overrides) -> dict:
        """SIGHTLINE_OIDC as the environment would give it for this provider."""
        values = {
            "PROVIDER_NAME": "Test IdP",
            "DISCOVERY_URL": f"{self.issuer}/.well-known/openid-configuration",
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "SCOPES": "openid email profile groups",
            "GROUPS_CLAIM": "groups",
            "ROLE_MAP": ROLE_MAP,
        }
        values.update(overrides)
        return values


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Provider:
    data = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (data / "rsa.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.sso.provider.settings",
        "SSO_PROVIDER_DIR": str(data),
        "PYTHONPATH": str(ROOT),
    }
    port = _free_port()
    provider = Provider(url=f"http://127.0.0.1:{port}", data=data, env=env)
    provider.register(
        redirect_uris=["http://testserver/sso/callback/"],
        post_logout_uris=["http://testserver/login/"],
    )
    log = (data / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tests.sso.provider.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{provider.issuer}/.well-known/openid-configuration").is_success:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "the test OpenID provider did not start:\n"
                    + (data / "gunicorn.log").read_text()[-3000:]
                )
            time.sleep(0.2)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def provider_sign_in(authorize_url: str, *, username: str, password: str) -> str:
    """Plays the person at the provider: follows the authorize URL, fills in its login form and
    returns where the provider finally sends the browser (Sightline's callback, with a code)."""
    with httpx.Client(follow_redirects=False, timeout=30) as op:
        response = op.get(authorize_url)
        url = authorize_url
        for _ in range(10):
            if response.status_code not in (301, 302, 303):
                raise AssertionError(f"provider answered {response.status_code} at {url}")
            location = urljoin(url, response.headers["location"])
            if urlsplit(location).netloc != urlsplit(authorize_url).netloc:
                return location  # leaving the provider: back to the client
            url = location
            if urlsplit(location).path == "/accounts/login/":
                form = op.get(location)
                assert form.status_code == 200, form.text
                response = op.post(
                    location,
                    data={
                        "username": username,
                        "password": password,
                        "csrfmiddlewaretoken": op.cookies["provider_csrftoken"],
                        "next": dict(httpx.URL(location).params)["next"],
                    },
                    headers={"Referer": location},
                )
                if response.status_code == 200:
                    raise AssertionError("the provider refused the password")
            else:
                response = op.get(location)
        raise AssertionError("too many redirects at the provider")
