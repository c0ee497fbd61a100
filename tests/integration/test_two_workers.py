"""Two real Celery workers ingest overlapping CloudTrail batches at once (PostgreSQL, Redis).

Every batch holds events of the same principals and the same Bedrock app, so their chunks and
their rules race on the same findings, apps, identities and per-principal history. No run may
fail, and the end state must equal ingesting the same batches one after another in-process.
"""

import shutil
from pathlib import Path

import pytest
from django.db.models import Sum

from discovery.models import (
    AppIdentity,
    AppUsageDay,
    AppUsageTotal,
    CloudEventSeen,
    CloudPrincipal,
    CloudTrailEvent,
    DiscoveredApp,
    Finding,
    IngestRun,
    UsageRollup,
)
from discovery.services import ingest_batch_create, ingest_run_execute
from discovery.tasks import ingest_run_process
from tests.discovery import cloudtrail_gen as gen
from tests.discovery.totals import rollup_requests
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.integration
BATCHES = 16
FILES_PER_BATCH = 1  # one chunk each: the two workers finish runs in pairs


def _batches(root: Path) -> list[list[Path]]:
    """BATCHES folders of FILES_PER_BATCH files, every file holding events of every principal."""
    generated = gen.generate(seed=11)
    files = gen.write_files(generated, root / "all", parts=BATCHES * FILES_PER_BATCH)
    folders = []
    for b in range(BATCHES):
        folder = root / f"batch-{b}"
        folder.mkdir()
        for path in files[b::BATCHES]:
            shutil.move(str(path), folder / path.name)
        folders.append(sorted(folder.iterdir()))
    return folders


def _register(folders: list[list[Path]]) -> list[int]:
    runs = []
    for paths in folders:
        batch = ingest_batch_create(files=[(p, p.name) for p in paths], actor="two-workers")
        assert batch.created
        runs.append(batch.run.pk)
    return runs


def _state() -> dict:
    return {
        "rollups": rollup_requests(),
        "rollup_rows": UsageRollup.objects.count(),
        "days": sorted(AppUsageDay.objects.values_list("app_key", "host", "day", "requests")),
        "identities": AppIdentity.objects.count(),
        "totals": sorted(AppUsageTotal.objects.values_list("app_key", "host", "requests", "users")),
        "apps": sorted(DiscoveredApp.objects.values_list("app_key", "host")),
        "events": CloudTrailEvent.objects.count(),
        "seen": CloudEventSeen.objects.count(),
        "principals": sorted(
            CloudPrincipal.objects.values_list("principal", "events", "successes", "baseline")
        ),
        "findings": sorted(
            Finding.objects.filter(state__in=Finding.OPEN_STATES).values_list(
                "kind", "dedupe_key", "severity", "title"
            )
        ),
        "lines_read": IngestRun.objects.aggregate(n=Sum("lines_read"))["n"],
    }


def _forget_everything() -> None:
    for model in (
        Finding,
        DiscoveredApp,
        CloudPrincipal,
        CloudTrailEvent,
        CloudEventSeen,
        AppIdentity,
        AppUsageTotal,
        AppUsageDay,
        UsageRollup,
        IngestRun,
    ):
        model.objects.all().delete()


def test_two_workers_on_overlapping_cloudtrail_batches_fail_no_run_and_count_exactly(
    celery_worker, second_worker, tmp_path
):
    from discovery.catalog_loader import load_catalog

    load_catalog()
    folders = _batches(tmp_path / "logs")
    runs = _register(folders)
    for run_id in runs:
        ingest_run_process.delay(run_id=run_id)
    finished = wait_until(
        lambda: (
            list(IngestRun.objects.filter(pk__in=runs, status__in=["done", "failed"]))
            if IngestRun.objects.filter(pk__in=runs, status__in=["done", "failed"]).count()
            == len(runs)
            else None
        ),
        timeout=300,
        what="every batch to finish on the two workers",
    )
    assert [(r.pk, r.status, r.error) for r in finished if r.status != "done"] == []
    logs = celery_worker.log()
    assert "discovery.ingest_chunk_process" in logs  # both workers took chunks
    concurrent = _state()
    assert concurrent["events"] == concurrent["seen"] > 0
    assert concurrent["findings"]

    # Ground truth: the same batches ingested one after another in this process.
    _forget_everything()
    for paths, run_id in zip(folders, _register(folders), strict=True):
        assert ingest_run_execute(run_id=run_id).status == "done", paths
    assert _state() == concurrent
