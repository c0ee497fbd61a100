import hashlib
import io
import threading

import pytest
from django.core.exceptions import ValidationError

from core import storage
from tests.assessments import samples


def test_blob_is_named_by_sha256_and_read_only():
    data = b"model card v1\n" * 1000
    blob = storage.store_blob(fileobj=io.BytesIO(data), max_bytes=10**6)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.size == len(data)
    assert blob.path == storage.blob_path(blob.sha256)
    assert blob.path.read_bytes() == data
    assert blob.path.stat().st_mode & 0o222 == 0
    with storage.open_blob(blob.sha256) as handle:
        assert handle.read() == data


def test_identical_upload_is_stored_once_and_leaves_no_temp_files(storage_dir):
    first = storage.store_blob(fileobj=io.BytesIO(b"same"), max_bytes=100)
    second = storage.store_blob(fileobj=io.BytesIO(b"same"), max_bytes=100)
    assert first == second
    assert list((storage_dir / "blobs" / "tmp").iterdir()) == []


def test_concurrent_identical_uploads_do_not_fail():
    errors = []

    def put():
        try:
            storage.store_blob(fileobj=io.BytesIO(b"x" * 300_000), max_bytes=10**6)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=put) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_size_limit_is_enforced_while_streaming(storage_dir):
    class Endless(io.RawIOBase):
        reads = 0

        def read(self, n=-1):
            self.reads += 1
            return b"a" * (n if n and n > 0 else 1024)

    source = Endless()
    with pytest.raises(ValidationError, match="larger than the limit of 2.0 MB"):
        storage.store_blob(fileobj=source, max_bytes=2 * 1024 * 1024)
    assert source.reads <= 4  # stopped early, did not read the endless stream
    assert list((storage_dir / "blobs" / "tmp").iterdir()) == []


def test_blob_path_rejects_non_digests():
    with pytest.raises(ValueError):
        storage.blob_path("../../etc/passwd")


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (samples.PDF, "datasheet.pdf", "pdf"),
        (samples.PDF, "renamed.txt", "pdf"),
        (samples.png(), "logo.png", "png"),
        (samples.docx(), "dpa.docx", "docx"),
        (samples.xlsx(), "controls.xlsx", "xlsx"),
        (b"Plain notes\n", "notes.txt", "txt"),
        ("# Model card\n\nÄccuracy 93 %\n".encode(), "card.md", "md"),
        (b"metric,value\nauc,0.91\n", "bias.csv", "csv"),
        (b'{"accuracy": 0.93}', "metrics.json", "json"),
        (b'{"accuracy": 0.93}', "metrics", "json"),
    ],
)
def test_allowed_content_is_accepted(tmp_path, data, name, kind):
    path = tmp_path / "f"
    path.write_bytes(data)
    assert storage.sniff_file(path=path, name=name).kind == kind


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (samples.EXE, "soc2-report.pdf", "Windows executable"),
        (samples.EXE, "notes.txt", "Windows executable"),
        (samples.plain_zip(), "dpa.docx", "ZIP archive"),
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "notes.txt", "HTML"),
        (b"text with a \x00 nul", "notes.txt", "binary data"),
        (b"\xff\xfe\xfa not utf-8", "notes.txt", "not UTF-8"),
        (b"", "empty.txt", "empty"),
        (b"{not json", "metrics.json", "not valid JSON"),
    ],
)
def test_disallowed_content_is_rejected_with_a_clear_message(tmp_path, data, name, message):
    path = tmp_path / "f"
    path.write_bytes(data)
    with pytest.raises(ValidationError, match=message):
        storage.sniff_file(path=path, name=name)


def test_store_upload_rejects_before_anything_is_stored(storage_dir):
    with pytest.raises(ValidationError, match="not allowed"):
        storage.store_upload(fileobj=io.BytesIO(samples.EXE), name="report.pdf", max_bytes=10**6)
    stored = [p for p in (storage_dir / "blobs").rglob("*") if p.is_file()]
    assert stored == []


def test_safe_download_name_uses_the_sniffed_extension():
    assert storage.safe_download_name("../../evil name.html", "txt") == "evil name.txt"
