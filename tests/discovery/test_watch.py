"""Watched folders: the beat task turns new files into runs once, skipping digests and half-written files."""

import os
import shutil
import time

import pytest

from discovery.models import IngestRun, LogSource
from discovery.tasks import watched_folders_poll
from tests.discovery.conftest import CLOUDTRAIL, SQUID
from tests.discovery.factories import LogSourceFactory


@pytest.fixture(autouse=True)
def _watch_root(settings, tmp_path):
    settings.SIGHTLINE_WATCH_ROOTS = [str(tmp_path)]


def age(path, seconds=60):
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_watched_folder_files_are_ingested_once(catalog, eager, tmp_path):
    root = tmp_path / "AWSLogs" / "111122223333"
    (root / "CloudTrail" / "us-east-1").mkdir(parents=True)
    (root / "CloudTrail-Digest").mkdir()
    trail = root / "CloudTrail" / "us-east-1" / CLOUDTRAIL.name
    shutil.copyfile(CLOUDTRAIL, trail)
    shutil.copyfile(CLOUDTRAIL, root / "CloudTrail-Digest" / "digest.json.gz")
    age(trail)
    LogSourceFactory(name="Org trail", kind="cloudtrail", watch_path=str(tmp_path))
    assert watched_folders_poll() == 1
    run = IngestRun.objects.get()
    assert run.status == "done" and run.format == "cloudtrail"
    assert run.path == str(trail.resolve())
    assert watched_folders_poll() == 0
    assert IngestRun.objects.count() == 1
    assert LogSource.objects.get().last_polled_at is not None


def test_files_still_being_written_wait_for_the_next_poll(catalog, eager, tmp_path):
    path = tmp_path / "access.log"
    shutil.copyfile(SQUID, path)
    LogSourceFactory(name="Proxy", kind="proxy", watch_path=str(tmp_path))
    assert watched_folders_poll() == 0
    age(path)
    assert watched_folders_poll() == 1


def test_paused_sources_and_missing_folders_are_skipped(catalog, eager, tmp_path):
    path = tmp_path / "access.log"
    shutil.copyfile(SQUID, path)
    age(path)
    LogSourceFactory(name="Paused", kind="proxy", watch_path=str(tmp_path), active=False)
    LogSourceFactory(name="Gone", kind="proxy", watch_path=str(tmp_path / "nope"))
    assert watched_folders_poll() == 0
    assert IngestRun.objects.count() == 0
