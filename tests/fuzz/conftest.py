import pytest

from tests.discovery.conftest import catalog, ingest  # noqa: F401 - in-process ingestion fixtures


@pytest.fixture
def officer_once(db):
    """Hypothesis runs many examples per test; one user serves them all."""
    from django.contrib.auth import get_user_model

    from tests.conftest import make_user

    found = get_user_model().objects.filter(username="fuzz-officer").first()
    return found or make_user("fuzz-officer", "compliance_officer")
