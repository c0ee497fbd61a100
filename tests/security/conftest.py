import pytest
from django.core.cache import cache

from tests.e2e.conftest import browser, login, page  # noqa: F401 - Chromium fixtures for CSP tests


@pytest.fixture(autouse=True)
def _fresh_axes(db):
    """django-axes counts failures in the database and cache; each test starts unlocked."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()
    cache.clear()
