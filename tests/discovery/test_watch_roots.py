"""Watched folders read only under SIGHTLINE_WATCH_ROOTS; skipped-line samples are redacted and
shown only to people who can edit discovery (the pack-signing key once leaked through both)."""

import os
import shutil
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from discovery.models import IngestRun, LogSource
from discovery.services.sources import log_source_create, log_source_update
from discovery.tasks import watched_folders_poll
from tests.conftest import PASSWORD
from tests.discovery.conftest import SQUID
from tests.discovery.factories import LogSourceFactory

PEM = (
    "-----BEGIN " + "PRIVATE KEY-----\n"  # split so the committed-secrets check stays quiet
    "MC4CAQAwBQYDK2VwBCIEIBnqQ2uXAbvK5aQ2oY3hA4b3c1Jt2z9vTt2m4Q0N6m7e\n"
    "-----END PRIVATE KEY-----\n"
)


def aged(path: Path) -> Path:
    past = time.time() - 60
    os.utime(path, (past, past), follow_symlinks=False)
    return path


@pytest.fixture
def roots(db, settings, tmp_path):
    """One allowed root with a log in it; the storage directory (with its key) sits elsewhere."""
    root = tmp_path / "logs"
    root.mkdir()
    storage = tmp_path / "storage"
    (storage / "keys").mkdir(parents=True)
    key = storage / "keys" / "pack-signing.ed25519"
    key.write_text(PEM)
    settings.SIGHTLINE_STORAGE_DIR = storage
    settings.SIGHTLINE_PACK_SIGNING_KEY_PATH = key
    settings.SIGHTLINE_WATCH_ROOTS = [str(root)]
    return {"root": root, "storage": storage, "key": key, "tmp": tmp_path}


def create(path) -> LogSource:
    return log_source_create(
        actor="test", data={"name": "Proxy", "kind": "proxy", "watch_path": str(path)}
    )


def test_a_folder_under_a_root_is_accepted(roots):
    (roots["root"] / "squid").mkdir()
    assert create(roots["root"] / "squid").watch_path == str((roots["root"] / "squid").resolve())


def test_watched_folders_are_off_without_roots(roots, settings):
    settings.SIGHTLINE_WATCH_ROOTS = []
    with pytest.raises(ValidationError, match="SIGHTLINE_WATCH_ROOTS"):
        create(roots["root"])
    assert not LogSource.objects.exists()


@pytest.mark.parametrize("target", ["/etc", "/", "tmp", "storage", "keys", "dotdot"])
def test_folders_outside_the_roots_or_holding_storage_are_refused(roots, settings, target):
    settings.SIGHTLINE_WATCH_ROOTS = [str(roots["root"]), str(roots["tmp"])]
    path = {
        "/etc": "/etc",
        "/": "/",
        "tmp": str(roots["tmp"]),  # contains the storage directory
        "storage": str(roots["storage"]),
        "keys": str(roots["storage"] / "keys"),
        "dotdot": str(roots["root"] / ".." / ".." / ".."),
    }[target]
    with pytest.raises(ValidationError):
        create(path)
    assert not LogSource.objects.exists()


def test_a_symlink_inside_a_root_is_judged_by_its_target(roots):
    link = roots["root"] / "innocent"
    link.symlink_to(roots["storage"] / "keys")
    with pytest.raises(ValidationError):
        create(link)


def test_an_update_cannot_move_the_folder_outside(roots):
    source = create(roots["root"])
    with pytest.raises(ValidationError):
        log_source_update(actor="test", source=source, data={"watch_path": "/etc"})
    assert LogSource.objects.get().watch_path == str(roots["root"].resolve())


def test_model_validation_refuses_outside_paths_too(roots):
    """The admin and any ModelForm go through full_clean()."""
    with pytest.raises(ValidationError):
        LogSource(name="x", kind="proxy", watch_path="/etc").full_clean()


def test_the_form_shows_the_reason(roots, client, admin_user):
    client.login(username=admin_user.username, password=PASSWORD)
    response = client.post(
        reverse("discovery:source-create"),
        {"name": "Keys", "kind": "proxy", "watch_path": str(roots["storage"] / "keys")},
    )
    assert response.status_code == 200
    assert b"storage directory" in response.content
    assert not LogSource.objects.exists()


def test_poll_skips_a_source_saved_before_the_rule(roots, catalog, eager):
    """A row written before this check (or straight into the database) is still never read."""
    aged(shutil.copyfile(SQUID, roots["storage"] / "keys" / "access.log"))
    LogSourceFactory(name="Old", kind="proxy", watch_path=str(roots["storage"] / "keys"))
    assert watched_folders_poll() == 0
    assert not IngestRun.objects.exists()


def test_poll_skips_a_file_symlink_leading_out_of_the_root(roots, catalog, eager):
    aged(shutil.copyfile(SQUID, roots["root"] / "access.log"))
    elsewhere = roots["storage"] / "upload.log"
    elsewhere.write_bytes(SQUID.read_bytes() + b"one more line\n")
    aged(elsewhere)
    link = roots["root"] / "key.log"
    link.symlink_to(elsewhere)
    aged(link)
    create(roots["root"])
    assert watched_folders_poll() == 1
    assert [Path(r.path).name for r in IngestRun.objects.all()] == ["access.log"]


def test_poll_refuses_everything_when_roots_are_removed(roots, catalog, eager, settings):
    aged(shutil.copyfile(SQUID, roots["root"] / "access.log"))
    create(roots["root"])
    settings.SIGHTLINE_WATCH_ROOTS = []
    assert watched_folders_poll() == 0


SECRET_LINES = [
    "-----BEGIN OPENSSH " + "PRIVATE KEY-----",
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
    "-----END OPENSSH PRIVATE KEY-----",
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    "session ASIAY34FZKBOKMUTVV7A used",
    "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "GET / HTTP/1.1 Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nat-ure",
    "db password=hunter2-is-not-a-password",
]


@pytest.fixture
def leaky_run(ingest, tmp_path):
    path = tmp_path / "leaky.log"
    path.write_text(PEM + "\n".join(SECRET_LINES) + "\n" + "x" * 5000 + "\n")
    return ingest(path, fmt="squid")


def _all_samples(run) -> str:
    return "\n".join(s for samples in run.skip_samples.values() for s in samples)


def test_secret_lines_are_redacted_before_they_are_stored(leaky_run):
    stored = _all_samples(leaky_run)
    assert leaky_run.lines_skipped >= len(SECRET_LINES)
    for secret in [
        "MC4CAQAwBQYDK2VwBCIEIBnqQ2uXAbvK5aQ2oY3hA4b3c1Jt2z9vTt2m4Q0N6m7e",
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
        "AKIAIOSFODNN7EXAMPLE",
        "ASIAY34FZKBOKMUTVV7A",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "eyJhbGciOiJIUzI1NiJ9",
        "hunter2",
    ]:
        assert secret not in stored
    assert "[redacted]" in stored


def test_samples_are_truncated(leaky_run):
    assert max(len(s) for s in leaky_run.skip_samples["malformed"]) <= 300


def test_auditors_see_counts_but_no_samples(leaky_run, client, auditor, officer):
    url = reverse("discovery:run-detail", kwargs={"pk": leaky_run.pk})
    api = reverse("discovery-api-run-detail", kwargs={"pk": leaky_run.pk})
    client.login(username=auditor.username, password=PASSWORD)
    page, data = client.get(url), client.get(api).json()
    assert page.status_code == 200 and b"malformed" in page.content
    assert b"[redacted]" not in page.content and b"xxxxxxxx" not in page.content
    assert data["skip_counts"] and data["skip_samples"] == {}
    client.logout()
    client.login(username=officer.username, password=PASSWORD)
    assert b"xxxxxxxx" in client.get(url).content
    assert client.get(api).json()["skip_samples"]


@pytest.mark.parametrize(
    "line",
    [
        "1732012345.123 42 10.0.0.5 TCP_TUNNEL/200 5321 CONNECT api.openai.com:443 alice - "
        "HIER_DIRECT/104.18.7.192 -",
        '{"eventName": "InvokeModel", "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9"}',
        "x" * 80,
    ],
)
def test_ordinary_log_lines_are_kept(line):
    from discovery.engine.redaction import redact_line

    assert redact_line(line, limit=1000) == line
