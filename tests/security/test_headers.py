"""Browser-facing hardening: CSP without inline script, framing denied, nosniff, cookie flags."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD

MAIN_PAGES = [
    "inventory:system-list",
    "inventory:vendor-list",
    "discovery:app-list",
    "discovery:finding-list",
    "assessments:assessment-list",
    "evidence:pack-list",
    "audit-list",
]
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I
)
INLINE_HANDLER = re.compile(r"<[^>]+\s(on[a-z]+)\s*=", re.I)


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
def test_login_page_sends_strict_csp_and_framing_headers(client):
    response = client.get(reverse("login"))
    csp = _csp(response)
    assert csp["script-src"] == "script-src 'self'"
    assert csp["style-src"] == "style-src 'self'"
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("route", MAIN_PAGES)
def test_main_pages_carry_csp_and_no_inline_script(client, officer, route):
    client.login(username=officer.username, password=PASSWORD)
    response = client.get(reverse(route))
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert not INLINE_SCRIPT.findall(html), f"inline <script> on {route}"
    assert not INLINE_HANDLER.findall(html), f"inline event handler on {route}"


def _browser_templates():
    for path in Path(settings.BASE_DIR).glob("*/templates/**/*.html"):
        if "/pdf/" in str(path):  # WeasyPrint-only, never served to a browser
            continue
        yield path
    yield from Path(settings.BASE_DIR, "templates").glob("**/*.html")


def test_no_template_contains_inline_script_or_handlers():
    offenders = []
    for path in _browser_templates():
        text = path.read_text()
        if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text) or "javascript:" in text:
            offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []


def test_htmx_is_configured_by_meta_tag_without_script_tags():
    base = Path(settings.BASE_DIR, "templates", "base.html").read_text()
    assert '<meta name="htmx-config"' in base
    assert '"allowScriptTags": false' in base
    assert '"includeIndicatorStyles": false' in base


def test_session_and_csrf_cookies_are_http_only_and_sessions_expire():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.CSRF_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
