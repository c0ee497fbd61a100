"""A chunk that does not complete its batch never waits on the run's row (PostgreSQL).

Every chunk asks, once stored, whether the batch is ready to write. Only the chunk that
completes it may lock the run; the others answer from a plain read. Otherwise every chunk would
queue behind whatever holds the run (the finaliser, the watchdog, a page's retry).
"""

import threading

import pytest
from django.db import connection, transaction

from discovery.models import IngestRun
from discovery.services import ingest_chunk_run, ingest_run_create, ingest_run_plan
from discovery.services.runs import ingest_run_finish
from tests.discovery.conftest import SQUID

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]


def _finish_while_the_run_is_locked(run_id: int) -> object:
    """ingest_run_finish on its own connection, giving up on any lock after 2 s, while this
    connection holds the run's row; returns its result or what it raised."""
    outcome: dict[str, object] = {}

    def finish() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
            outcome["result"] = ingest_run_finish(run_id=run_id)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            outcome["result"] = exc
        finally:
            connection.close()

    with transaction.atomic():
        IngestRun.objects.select_for_update().get(pk=run_id)
        thread = threading.Thread(target=finish)
        thread.start()
        thread.join(timeout=30)
    return outcome["result"]


def test_a_chunk_that_leaves_chunks_owed_returns_without_the_run_lock(catalog, settings, copy_of):
    settings.SIGHTLINE_INGEST_CHUNK_BYTES = 16 * 1024
    run, _ = ingest_run_create(path=copy_of(SQUID), actor="test")
    indexes = ingest_run_plan(run_id=run.pk)
    assert len(indexes) > 2
    for index in indexes[:-1]:
        ingest_chunk_run(run_id=run.pk, index=index)
    assert _finish_while_the_run_is_locked(run.pk) is False

    # The chunk that completes the batch does take the lock (and here gives up after 2 s).
    ingest_chunk_run(run_id=run.pk, index=indexes[-1])
    result = _finish_while_the_run_is_locked(run.pk)
    assert isinstance(result, Exception) and "lock timeout" in str(result)
    assert ingest_run_finish(run_id=run.pk) is True
    run.refresh_from_db()
    assert run.status == "done"
