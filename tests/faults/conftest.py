import pytest

from tests.integration.conftest import celery_worker  # noqa: F401 - real worker on Redis + PostgreSQL


@pytest.fixture
def tiny_chunks(monkeypatch, settings):
    """2 KB chunks, so a small log is many chunk tasks a worker can be killed between."""
    monkeypatch.setenv("SIGHTLINE_INGEST_CHUNK_BYTES", "2048")
    settings.SIGHTLINE_INGEST_CHUNK_BYTES = 2048
