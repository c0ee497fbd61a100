from tests.integration.conftest import celery_worker  # noqa: F401 - real worker on Redis + PostgreSQL
