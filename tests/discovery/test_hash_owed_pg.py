"""A large plain file is registered with its head hashed only; its whole hash is computed beside
its chunks (PostgreSQL). Duplicates and grown logs are still found exactly, also while the hash
is owed and when two registrations of the same content race.

The threshold is lowered to 1 KB here, so the demo Squid log (~300 KB) counts as large.
"""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from discovery.models import IngestFile, IngestRun
from discovery.services import (
    ingest_batch_create,
    ingest_chunk_run,
    ingest_parts_take,
    ingest_run_execute,
    ingest_run_finalise,
    ingest_run_plan,
)
from discovery.services.files import file_sha256
from discovery.services.parts import ingest_parts_write
from tests.conftest import PASSWORD
from tests.core.test_audit import writers_run
from tests.discovery.conftest import SQUID
from tests.discovery.totals import pipeline_requests, rollup_requests

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]

EXTRA = (
    "1764000000.000    120 10.0.0.99 TCP_TUNNEL/200 4100 CONNECT api.openai.com:443 "
    "grown@example.com HIER_DIRECT/104.18.7.192 -\n"
)


@pytest.fixture(autouse=True)
def large_from_1kb(settings):
    settings.SIGHTLINE_INGEST_DEFER_HASH_BYTES = 1024


def register(path: Path):
    return ingest_batch_create(files=[(path, path.name)], actor="test")


def test_the_hash_is_owed_at_registration_and_complete_when_the_run_is_done(
    catalog, copy_of, client, officer
):
    path = copy_of(SQUID)
    batch = register(path)
    f = IngestFile.objects.get(run=batch.run)
    assert batch.created and f.content_sha256 == "" and f.head_sha256
    assert batch.run.sha256 == ""
    client.login(username=officer.username, password=PASSWORD)
    page = reverse("discovery:run-detail", kwargs={"pk": batch.run.pk})
    assert "sha256 being computed" in client.get(page).content.decode()

    run = ingest_run_execute(run_id=batch.run.pk)
    assert run.status == "done"
    f.refresh_from_db()
    assert f.sha256 == f.content_sha256 == run.sha256 == file_sha256(path)
    assert rollup_requests() == pipeline_requests(SQUID, "squid")
    body = client.get(page).content.decode()
    assert f"sha256 <code>{run.sha256}</code>" in body and "being computed" not in body


def test_the_same_content_while_the_hash_is_owed_is_a_duplicate(catalog, copy_of):
    first = register(copy_of(SQUID, name="access.log"))
    again = register(copy_of(SQUID, name="access-copy.log"))
    assert not again.created and again.run.pk == first.run.pk
    # the second registration finished the first file's hash to compare them
    assert IngestFile.objects.get(run=first.run).content_sha256 == file_sha256(SQUID)
    assert IngestRun.objects.count() == 1


def test_a_log_that_grew_while_the_hash_is_owed_counts_only_its_tail(catalog, copy_of):
    first = register(copy_of(SQUID, name="access.log"))
    grown = register(copy_of(SQUID, name="access-grown.log", append=EXTRA))
    assert grown.created
    f = IngestFile.objects.get(run=grown.run)
    assert f.prefix_of.run_id == first.run.pk
    assert f.offset == SQUID.stat().st_size


def test_two_registrations_of_one_content_at_once_count_it_once(catalog, copy_of):
    paths = [copy_of(SQUID, name=f"node-{n}.log") for n in range(2)]
    outcomes: list[bool] = []
    assert writers_run(2, lambda n: outcomes.append(register(paths[n]).created)) == []
    assert sorted(outcomes) == [False, True]
    assert IngestFile.objects.filter(status__in=IngestFile.COUNTED).count() == 1


def test_a_file_cut_short_before_it_was_hashed_is_not_counted_and_the_run_says_why(
    catalog, copy_of
):
    path = copy_of(SQUID)
    batch = register(path)
    path.write_bytes(path.read_bytes()[:2048])
    run = ingest_run_execute(run_id=batch.run.pk)
    assert run.status == "failed"
    assert "shorter than when it was registered" in run.error
    f = IngestFile.objects.get(run=run)
    assert f.status == "refused" and f.message.startswith("Not counted:")
    assert rollup_requests() == {}


def test_a_log_rotated_before_its_hash_is_counted_once_from_its_new_place(catalog, copy_of):
    """Workers down: access.log is registered, then rotated to access.log.1 and a new
    access.log started. The first registration's file can no longer be read as registered, so
    it is refused (its run fails with why) and the rotated copy counts, once."""
    live = copy_of(SQUID, name="access.log")
    first = register(live)
    rotated = live.with_name("access.log.1")
    live.rename(rotated)
    live.write_text(EXTRA * 4000)  # longer than the first: only its beginning differs
    second = register(rotated)
    assert second.created
    lost = IngestFile.objects.get(run=first.run)
    assert lost.status == "refused" and "has changed since it was registered" in lost.message
    assert IngestRun.objects.get(pk=first.run.pk).status == "failed"
    # retried, the first run says why it has nothing to count
    IngestRun.objects.filter(pk=first.run.pk).update(status="queued", error="")
    assert ingest_run_plan(run_id=first.run.pk) == []
    error = IngestRun.objects.get(pk=first.run.pk).error
    assert error.startswith("No file of this run can be counted. access.log: Not counted:")
    run = ingest_run_execute(run_id=second.run.pk)
    assert run.status == "done"
    assert rollup_requests() == pipeline_requests(SQUID, "squid")


def test_a_file_changed_after_its_rows_were_written_fails_the_final_step_not_the_file(
    catalog, copy_of
):
    """The worker that owed the hash was lost, the rows are written, and the file changed: the
    final step fails (the run shows why, with a retry) and never calls the file uncounted."""
    path = copy_of(SQUID)
    batch = register(path)
    for index in ingest_run_plan(run_id=batch.run.pk):
        ingest_chunk_run(run_id=batch.run.pk, index=index)
    ingest_parts_write(run_id=batch.run.pk, indexes=ingest_parts_take(run_id=batch.run.pk))
    path.write_bytes(path.read_bytes()[:2048])
    with pytest.raises(ValidationError, match="shorter than when it was registered"):
        ingest_run_finalise(run_id=batch.run.pk)
    f = IngestFile.objects.get(run=batch.run)
    assert f.status == "queued" and f.content_sha256 == ""
