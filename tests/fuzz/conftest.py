from tests.discovery.conftest import catalog, ingest  # noqa: F401 - in-process ingestion fixtures
