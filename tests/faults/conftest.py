import pytest

from tests.integration.conftest import celery_worker  # noqa: F401 - real worker on Redis + PostgreSQL


@pytest.fixture
def tiny_chunks(ingest_chunk_bytes):
    """2 KB chunks, so a small log is many chunk tasks a worker can be killed between."""
    ingest_chunk_bytes(2048)
