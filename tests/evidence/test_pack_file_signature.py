"""The pack's signature covers the whole ZIP file as well as the manifest, and any corrupted ZIP gets
a verdict (from the command and the web page), never a traceback or a 500."""

import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from evidence.manifest import verify_pack
from tests.conftest import PASSWORD


def variant(pack, tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def eocd_offset(data: bytes) -> int:
    return data.rindex(b"PK\x05\x06")


def with_comment(data: bytes, comment: bytes) -> bytes:
    at = eocd_offset(data)
    return data[: at + 20] + struct.pack("<H", len(comment)) + comment


def corruptions(data: bytes) -> dict[str, bytes]:
    first = zipfile.ZipFile(io.BytesIO(data)).infolist()
    deflated = next(
        i for i in first if i.compress_type == zipfile.ZIP_DEFLATED and i.compress_size > 8
    )
    start = deflated.header_offset + 30 + len(deflated.filename.encode()) + len(deflated.extra)
    bad_deflate = bytearray(data)
    for i in range(start, start + 8):
        bad_deflate[i] ^= 0xFF
    wrong_cd = bytearray(data)
    cd_start = struct.unpack("<I", data[eocd_offset(data) + 16 : eocd_offset(data) + 20])[0]
    wrong_cd[cd_start + 10 : cd_start + 30] = b"\x00" * 20
    wrong_cd_offset = bytearray(data)
    wrong_cd_offset[eocd_offset(data) + 16 : eocd_offset(data) + 20] = struct.pack("<I", 7)
    return {
        "bad-deflate": bytes(bad_deflate),
        "truncated": data[: len(data) // 2],
        "truncated-tail": data[:-5],
        "wrong-central-directory": bytes(wrong_cd),
        "wrong-cd-offset": bytes(wrong_cd_offset),
        "empty": b"",
        "garbage": b"PK\x03\x04" + b"\xff" * 500,
    }


def test_an_intact_pack_carries_a_whole_file_signature(pack):
    report = verify_pack(pack)
    assert report.ok, report.problems()
    assert report.file_signature_ok


@pytest.mark.parametrize(
    "change",
    [
        lambda d: b"MZ\x90\x00 prepended stub " + d,
        lambda d: d + b"appended bytes",
        lambda d: with_comment(d, b"a different comment"),
        lambda d: with_comment(d, b""),
    ],
    ids=["prepended", "appended", "comment-changed", "comment-removed"],
)
def test_bytes_around_or_in_the_zip_fail_verification(pack, tmp_path, change):
    changed = variant(pack, tmp_path, "changed.zip", change(pack.read_bytes()))
    # Python's zipfile still opens these and every member still matches the manifest:
    with zipfile.ZipFile(changed) as zf:
        assert zf.testzip() is None
    report = verify_pack(changed)
    assert not report.ok
    assert not report.file_signature_ok
    assert any("whole" in p and "file" in p for p in report.problems()), report.problems()


KINDS = ["bad-deflate", "truncated", "truncated-tail", "wrong-central-directory",
         "wrong-cd-offset", "empty", "garbage"]  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_a_corrupted_zip_gets_a_verdict(pack, tmp_path, kind):
    broken = variant(pack, tmp_path, f"{kind}.zip", corruptions(pack.read_bytes())[kind])
    report = verify_pack(broken)
    assert not report.ok and report.problems()
    with pytest.raises(CommandError, match="VERIFICATION FAILED"):
        call_command("verify_pack", str(broken), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("kind", ["bad-deflate", "truncated", "wrong-central-directory"])
def test_the_web_verifier_answers_a_corrupted_zip_with_a_verdict(client, auditor, pack, kind):
    client.login(username=auditor.username, password=PASSWORD)
    upload = SimpleUploadedFile("pack.zip", corruptions(pack.read_bytes())[kind])
    response = client.post(reverse("evidence:verify"), {"pack": upload})
    assert response.status_code == 200
    assert b"Verification FAILED" in response.content
