"""Discovery test fixtures: the real catalogue, the demo logs, and in-process ingestion."""

import shutil
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "discovery" / "demo_logs"
SQUID = DEMO / "squid-access.log"
ZEEK = DEMO / "zeek-ssl.log"
CLOUDTRAIL = DEMO / "111122223333_CloudTrail_us-east-1_20261119T0320Z_DemoProbe0001.json.gz"


@pytest.fixture
def catalog(db):
    from discovery.catalog_loader import load_catalog

    load_catalog(check=False)


@pytest.fixture
def eager(settings, eager_celery):
    """Celery tasks run inline and raise; the Celery app caches its config, so set both."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = eager_celery.conf.task_eager_propagates
    eager_celery.conf.task_eager_propagates = True
    yield eager_celery
    eager_celery.conf.task_eager_propagates = previous


@pytest.fixture
def usage_scenario(catalog, officer, tmp_path):
    """The OAuth and gateway-usage batch of usage_scenario.py: the systems and budgets it is
    judged against, and its log files, not yet ingested."""
    from tests.discovery import usage_scenario as sc

    return {"systems": sc.setup_inventory(officer), "files": sc.write_files(tmp_path / "logs")}


@pytest.fixture
def ingest(catalog):
    """ingest(path, **kw) registers a file and processes it in this process; returns the run."""
    from discovery.services import ingest_run_create, ingest_run_execute

    def run_it(path, *, actor="test", **kwargs):
        run, created = ingest_run_create(path=Path(path), actor=actor, **kwargs)
        if created:
            run = ingest_run_execute(run_id=run.pk)
        return run

    return run_it


@pytest.fixture
def copy_of(tmp_path):
    """A copy of a demo log, optionally with extra lines appended (the same log grown: only the
    new lines count) or prepended (a different file whose lines all count)."""

    def make(src: Path, *, append: str = "", prepend: str = "", name: str | None = None) -> Path:
        dest = tmp_path / (name or src.name)
        shutil.copyfile(src, dest)
        if append:
            with open(dest, "a") as fh:
                fh.write(append)
        if prepend:
            dest.write_bytes(prepend.encode() + dest.read_bytes())
        return dest

    return make
