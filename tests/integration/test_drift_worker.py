"""Gateway logs for a sanctioned system, ingested on a real Celery worker (Redis, PostgreSQL):
a new team opens a drift finding; accepting it updates the system, and the worker re-classifies
it, so the assessment the new outcome calls for shows as required."""

import io

import pytest
from django.core.management import call_command

from assessments.selectors import required_missing
from discovery.models import Finding, IngestRun
from discovery.services import ingest_batch_create, ingest_run_dispatch
from discovery.services.drift import drift_accept
from regulations.models import ClassificationResult
from regulations.services import classification_run
from tests.discovery import usage_scenario as sc
from tests.integration.conftest import wait_until

pytestmark = pytest.mark.integration


def _eu_high(system) -> bool:
    result = (
        ClassificationResult.objects.filter(system=system, regime__code="eu")
        .order_by("-computed_at", "-pk")
        .first()
    )
    return bool(result and result.high_risk)


def test_gateway_drift_accepted_on_the_worker_requires_an_assessment(
    celery_worker, officer, tmp_path, storage_dir
):
    from discovery.catalog_loader import load_catalog

    load_catalog(check=False)
    call_command("load_content", no_classify=True, stdout=io.StringIO())
    systems = sc.setup_inventory(officer)
    sales = systems["sales"]
    classification_run(system=sales)
    assert not _eu_high(sales)
    files = sc.write_files(tmp_path / "logs")

    created = ingest_batch_create(
        files=[(files[n], n) for n in ("spend_baseline.jsonl", "spend_rest.jsonl")],
        actor="integration-test",
    )
    ingest_run_dispatch(run_id=created.run.pk)
    run = wait_until(
        lambda: IngestRun.objects.filter(pk=created.run.pk, status__in=["done", "failed"]).first(),
        timeout=120,
        what="the gateway batch to finish in the worker",
    )
    assert run.status == "done", run.error
    finding = Finding.objects.get(dedupe_key=f"drift:{sales.pk}:teams:recruiting")
    assert finding.evidence["proposal"] == {
        "teams_using": ["Recruiting"],
        "domains": ["employment"],
    }

    drift_accept(finding=finding, actor=officer)  # committed: the worker gets the re-classify
    wait_until(lambda: _eu_high(sales), timeout=60, what="the worker to re-classify the system")
    required = [m.template.key.rsplit(".", 1)[-1] for m in required_missing(system_id=sales.pk)]
    assert required == ["deployer-duties"]
    assert "regulations.tasks.classify_system_task" in celery_worker.log()
