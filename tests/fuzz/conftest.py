import pytest

from tests.discovery.conftest import catalog, ingest  # noqa: F401 - in-process ingestion fixtures


@pytest.fixture
def officer_once(db):
    """Hypothesis runs many examples per test; one user serves them all."""
    from django.contrib.auth import get_user_model

    from tests.conftest import make_user

    found = get_user_model().objects.filter(username="fuzz-officer").first()
    return found or make_user("fuzz-officer", "compliance_officer")


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Calling the WSGI app directly fires request signals that close the test transaction's connection.

    Django's test client disconnects `close_old_connections` for the same reason; do it here too.
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
