"""Playwright (sync) driving Debian's Chromium against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest

from discovery.catalog_loader import load_catalog
from sightline.celery import app as celery_app
from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in the test thread; the ORM calls in tests are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def _patient_expectations():
    """`expect()` waits 5 s by default; a busy CI machine can take longer to answer an HTMX request."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


_RUNNING: dict = {}  # one Playwright per process, even when other conftests import this fixture


@pytest.fixture(scope="session")
def browser():
    if "browser" in _RUNNING:  # a second copy of this fixture (imported elsewhere) shares the first
        yield _RUNNING["browser"]
        return
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        pytest.fail("Debian's chromium is not on PATH: install it (apt-get install chromium).")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        _RUNNING["browser"] = browser
        try:
            yield browser
        finally:
            _RUNNING.pop("browser", None)
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def login(page, live_server):
    """login(user) signs in through the real form and returns the page."""

    def do_login(user):
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return do_login


def forget_session(page) -> None:
    """Signs the browser out by leaving the page first, so a request still in flight (the inbox
    badge poll) cannot set a cookie after the clear and spoil the next login's CSRF token."""
    page.goto("about:blank")
    page.context.clear_cookies()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def catalogue(transactional_db):
    """The shipped AI catalogue, visible to the live server's threads."""
    load_catalog()


@pytest.fixture
def queued_only(settings):
    """Uploads are queued on a broker no worker reads, so the test drives the run and the page polls."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = saved
