"""Browser uploads: streamed to disk, size-limited, and bad input answered with a message, never a 500."""

import gzip
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from discovery.models import IngestRun
from tests.conftest import PASSWORD
from tests.discovery.conftest import CLOUDTRAIL, SQUID, ZEEK

UPLOAD = "discovery:run-upload"


@pytest.fixture
def officer_client(client, officer, catalog, eager, django_capture_on_commit_callbacks):
    client.login(username=officer.username, password=PASSWORD)

    def post(name: str, content: bytes, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse(UPLOAD), {"file": SimpleUploadedFile(name, content), **data})

    client.upload = post
    return client


def test_upload_is_stored_under_storage_and_ingested(officer_client, settings):
    response = officer_client.upload("access.log", SQUID.read_bytes())
    run = IngestRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("discovery:run-detail", kwargs={"pk": run.pk})
    stored = Path(run.path)
    assert stored.is_file()
    assert Path(settings.SIGHTLINE_STORAGE_DIR).resolve() / "uploads" in stored.parents
    assert stored.read_bytes() == SQUID.read_bytes()
    assert run.status == IngestRun.Status.DONE
    assert run.created_by.username == "officer"


def test_small_uploads_still_go_to_a_temporary_file(officer_client, settings):
    """Not kept in memory: our handler is the only one, so even 1 KB goes to disk first."""
    from discovery.views.runs import SizeLimitedUploadHandler

    assert issubclass(SizeLimitedUploadHandler, object)
    response = officer_client.upload("tiny.log", SQUID.read_bytes()[:1024])
    assert response.status_code in (200, 302)
    run = IngestRun.objects.get()
    assert Path(run.path).stat().st_size == 1024


def test_reupload_of_the_same_file_is_detected(officer_client):
    officer_client.upload("a.log", SQUID.read_bytes())
    response = officer_client.upload("b.log", SQUID.read_bytes())
    assert response.status_code == 302
    assert IngestRun.objects.count() == 1
    page = officer_client.get(response["Location"])
    assert b"already ingested as run" in page.content


def test_upload_over_the_size_limit_is_refused_with_a_message(officer_client, settings):
    settings.SIGHTLINE_UPLOAD_MAX_BYTES = 10_000
    response = officer_client.upload("big.log", SQUID.read_bytes())
    assert response.status_code == 200
    assert b"larger than the" in response.content
    assert IngestRun.objects.count() == 0


def test_binary_file_gets_a_clear_error(officer_client):
    response = officer_client.upload("photo.log", bytes(range(256)) * 64)
    assert response.status_code == 200
    assert b"binary file" in response.content
    assert IngestRun.objects.count() == 0


def test_unrecognised_text_asks_for_the_format(officer_client):
    response = officer_client.upload(
        "notes.txt", b"Dear diary,\nToday I wrote no logs at all.\n" * 30
    )
    assert response.status_code == 200
    assert b"Could not recognise the log format" in response.content


def test_empty_file_gets_a_clear_error(officer_client):
    response = officer_client.upload("empty.log", b"")
    assert response.status_code == 200
    assert IngestRun.objects.count() == 0


def test_wrong_forced_format_ends_as_counted_skips(officer_client):
    """Zeek JSON read as Squid: lines are skipped with a reason and samples, nothing matches, no
    crash, and the run is not "Done": it needs attention and names the format detected."""
    response = officer_client.upload("zeek.log", ZEEK.read_bytes(), format="squid")
    assert response.status_code == 302
    run = IngestRun.objects.get()
    assert run.status == IngestRun.Status.NEEDS_ATTENTION
    assert "0 of" in run.attention and "did you mean Zeek ssl.log?" in run.attention
    assert run.lines_matched == 0 and run.lines_parsed == 0
    assert run.lines_skipped > 100
    reason, samples = next(iter(run.skip_samples.items()))
    assert run.skip_counts[reason] > 100 and 0 < len(samples) <= 20
    assert samples[0].startswith("{")
    page = officer_client.get(reverse("discovery:run-detail", kwargs={"pk": run.pk}))
    assert page.status_code == 200 and reason.encode() in page.content


def test_malformed_lines_are_counted_with_samples(officer_client):
    body = b"garbage one\n\x00\x01binary junk\n" + SQUID.read_bytes()
    officer_client.upload("mixed.log", body)
    run = IngestRun.objects.get()
    assert run.status == IngestRun.Status.DONE
    assert run.lines_skipped == 4
    assert sum(run.skip_counts.values()) == 4
    assert "garbage one" in run.skip_samples["malformed"]
    assert "this line is not a squid log line" in run.skip_samples["malformed"]
    assert run.lines_matched == 629


def test_truncated_gzip_is_a_clear_error_or_counted_skip(officer_client):
    data = CLOUDTRAIL.read_bytes()
    response = officer_client.upload("trail.json.gz", data[: len(data) // 2])
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert b"gzip" in response.content.lower()
        return
    run = IngestRun.objects.get()
    assert run.status in (IngestRun.Status.DONE, IngestRun.Status.FAILED)
    if run.status == IngestRun.Status.FAILED:
        assert "gzip" in run.error.lower() or "truncated" in run.error.lower()
    else:
        assert run.skip_counts.get("gzip_error", 0) >= 1
    page = officer_client.get(reverse("discovery:run-detail", kwargs={"pk": run.pk}))
    assert page.status_code == 200


def test_not_gzip_despite_magic_bytes(officer_client):
    response = officer_client.upload("fake.gz", b"\x1f\x8b" + b"not really gzip" * 50)
    assert response.status_code == 200
    assert b"gzip" in response.content.lower()


def test_gzipped_squid_log_is_unpacked(officer_client):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as fh:
        fh.write(SQUID.read_bytes())
    officer_client.upload("access.log.gz", buf.getvalue())
    run = IngestRun.objects.get()
    assert run.format == "squid" and run.status == IngestRun.Status.DONE
    assert run.lines_read == 1887


def test_missing_file_field_re_renders_the_form(officer_client):
    response = officer_client.post(reverse(UPLOAD), {"format": ""})
    assert response.status_code == 200
    assert b"Choose a log file" in response.content


def test_progress_polling_stops_when_the_run_is_done(officer_client):
    officer_client.upload("access.log", SQUID.read_bytes())
    run = IngestRun.objects.get()
    response = officer_client.get(
        reverse("discovery:run-progress", kwargs={"pk": run.pk}), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 286
    assert b'hx-trigger="every 1s"' not in response.content
    assert b'value="100"' in response.content


def test_progress_keeps_polling_while_queued(client, officer, catalog):
    from discovery.services import ingest_run_create

    run, _ = ingest_run_create(path=SQUID, actor=officer)
    client.login(username=officer.username, password=PASSWORD)
    response = client.get(reverse("discovery:run-progress", kwargs={"pk": run.pk}))
    assert response.status_code == 200
    assert b'hx-trigger="every 1s"' in response.content
