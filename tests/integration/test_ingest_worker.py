"""Ingest on a real Celery worker (Redis broker, PostgreSQL): chunks fan out and merge exactly once."""

import pytest

from discovery.models import Finding, IngestChunk, IngestRun
from discovery.services import ingest_run_create
from discovery.tasks import ingest_chunk_process_task, ingest_run_process
from tests.discovery.conftest import SQUID
from tests.discovery.test_usage_summary import assert_summary_matches_rollups
from tests.discovery.totals import pipeline_requests, rollup_requests
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture
def small_chunks(ingest_chunk_bytes):
    """Split the demo log into ~14 chunks."""
    ingest_chunk_bytes(16384)


def test_worker_ingests_in_chunks_and_redelivery_never_double_counts(small_chunks, celery_worker):
    from discovery.catalog_loader import load_catalog

    load_catalog()
    run, created = ingest_run_create(path=SQUID, actor="integration-test")
    assert created
    ingest_run_process.delay(run_id=run.pk)
    run = wait_until(
        lambda: IngestRun.objects.filter(pk=run.pk, status__in=["done", "failed"]).first(),
        timeout=120,
        what="the run to finish in the worker",
    )
    assert run.status == "done", run.error
    assert run.chunks_total > 5
    assert IngestChunk.objects.filter(run=run, status="done").count() == run.chunks_total
    assert run.lines_read == 1887 and run.skip_counts == {"malformed": 2}
    expected = pipeline_requests(SQUID, "squid")
    assert rollup_requests() == expected
    assert_summary_matches_rollups()  # chunks merged concurrently into the per-app summaries
    assert Finding.objects.filter(kind="usage_spike", app_key="claude").exists()
    log = celery_worker.log()
    assert log.count("discovery.ingest_chunk_process") >= run.chunks_total

    # A redelivered chunk task (acks_late after a crash) must add nothing.
    before = log.count("succeeded")
    ingest_chunk_process_task.delay(run_id=run.pk, index=0)
    wait_until(
        lambda: celery_worker.log().count("succeeded") > before, what="the redelivered chunk"
    )
    assert rollup_requests() == expected
    assert_summary_matches_rollups()


def test_a_folder_batch_on_the_worker_is_one_run_and_counts_each_event_once(
    small_chunks, celery_worker, tmp_path
):
    """A folder of a proxy log and the same CloudTrail events twice (S3 .json.gz and JSON lines):
    one run whose chunks fan out over the worker, exact totals, each event counted once."""
    import gzip
    import json
    import shutil

    from django.db.models import Sum

    from discovery.catalog_loader import load_catalog
    from discovery.models import CloudEventSeen, UsageRollup
    from discovery.services import ingest_batch_create
    from tests.discovery.conftest import CLOUDTRAIL

    load_catalog()
    folder = tmp_path / "logs"  # the worker's own log lives in tmp_path
    folder.mkdir()
    shutil.copyfile(SQUID, folder / "access.log")
    shutil.copyfile(CLOUDTRAIL, folder / CLOUDTRAIL.name)
    events = json.loads(gzip.decompress(CLOUDTRAIL.read_bytes()))["Records"]
    (folder / "export.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    files = sorted(folder.iterdir())
    batch = ingest_batch_create(files=[(f, f.name) for f in files], actor="integration-test")
    ingest_run_process.delay(run_id=batch.run.pk)
    run = wait_until(
        lambda: IngestRun.objects.filter(pk=batch.run.pk, status__in=["done", "failed"]).first(),
        timeout=120,
        what="the batch to finish in the worker",
    )
    assert run.status == "done", run.error
    assert IngestRun.objects.count() == 1 and run.files_total == 3
    assert run.chunks_total > 5
    assert run.files.get(file_name="access.log").lines_read == 1887
    assert rollup_requests()["claude"] == pipeline_requests(SQUID, "squid")["claude"]
    bedrock = UsageRollup.objects.filter(app_key="amazon-bedrock").aggregate(n=Sum("requests"))
    assert bedrock["n"] == 12
    assert run.events_duplicate == CloudEventSeen.objects.count() > 0
    assert_summary_matches_rollups()
