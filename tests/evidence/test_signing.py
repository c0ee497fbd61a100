import io
import stat
import zipfile

import pytest
from django.core.management import CommandError, call_command

from evidence import signing
from evidence.manifest import MAX_RATIO, verify_pack
from evidence.zipwriter import PackWriter
from tests.evidence.factories import PACK_FILES


def rewrite(src, dst, *, replace=None, drop=(), add=None):
    """Copy a ZIP member by member, tampering on the way (what an attacker would do)."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, data in add.items():
            zout.writestr(name, data)
    return dst


def test_key_file_is_private_and_reused(signing_key):
    mode = stat.S_IMODE(signing_key.path.stat().st_mode)
    assert mode == 0o600
    again = signing.ensure_signing_key()
    assert again.created is False
    assert again.fingerprint == signing_key.fingerprint


def test_intact_pack_verifies(pack):
    report = verify_pack(pack)
    assert report.ok, report.problems()
    assert report.checked == len(PACK_FILES)
    assert report.pack["title"] == "test"


def test_changed_file_is_named(pack, tmp_path):
    bad = rewrite(pack, tmp_path / "bad.zip", replace={"inventory.csv": b"name,vendor\nX,Y\n"})
    report = verify_pack(bad)
    assert not report.ok
    assert report.signature_ok  # the manifest is intact: only the file differs
    assert report.changed == ["inventory.csv"]
    assert report.added == [] and report.removed == []


def test_added_file_is_named(pack, tmp_path):
    bad = rewrite(pack, tmp_path / "bad.zip", add={"evidence/extra.txt": b"smuggled"})
    report = verify_pack(bad)
    assert not report.ok
    assert report.added == ["evidence/extra.txt"]
    assert report.changed == [] and report.removed == []


def test_removed_file_is_named(pack, tmp_path):
    bad = rewrite(pack, tmp_path / "bad.zip", drop={"evidence/Acme/Model card/card.txt"})
    report = verify_pack(bad)
    assert not report.ok
    assert report.removed == ["evidence/Acme/Model card/card.txt"]


def test_signature_from_another_key_fails(pack, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    with zipfile.ZipFile(pack) as zf:
        manifest = zf.read("manifest.json")
    forged = Ed25519PrivateKey.generate().sign(manifest)
    bad = rewrite(pack, tmp_path / "bad.zip", replace={"manifest.sig": forged})
    report = verify_pack(bad)
    assert not report.ok
    assert not report.signature_ok
    assert any("manifest.sig" in e for e in report.errors)


def test_tampered_manifest_fails_signature(pack, tmp_path):
    """Editing a hash in the manifest to match a changed file must still fail: the signature breaks."""
    import hashlib

    new_csv = b"name,vendor\nX,Y\n"
    with zipfile.ZipFile(pack) as zf:
        manifest = zf.read("manifest.json").decode()
    old_sha = hashlib.sha256(PACK_FILES["inventory.csv"]).hexdigest()
    manifest = manifest.replace(old_sha, hashlib.sha256(new_csv).hexdigest())
    manifest = manifest.replace(
        f'"size": {len(PACK_FILES["inventory.csv"])}', f'"size": {len(new_csv)}'
    )
    bad = rewrite(
        pack,
        tmp_path / "bad.zip",
        replace={"manifest.json": manifest.encode(), "inventory.csv": new_csv},
    )
    report = verify_pack(bad)
    assert not report.ok
    assert not report.signature_ok
    assert report.changed == []  # hashes now agree with the forged manifest...
    assert any("manifest.json" in e for e in report.errors)  # ...but the signature names it


def test_zip_bomb_is_refused(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("zeros.bin", "w") as out:
            block = b"\0" * (1024 * 1024)
            for _ in range(64):
                out.write(block)
        zf.writestr("manifest.json", b"{}")
        zf.writestr("manifest.sig", b"x")
    report = verify_pack(bomb)
    assert not report.ok
    assert any("zip bomb" in e and f"{MAX_RATIO}:1" in e for e in report.errors)
    assert report.checked == 0  # refused before decompressing anything


def test_path_traversal_is_refused(tmp_path):
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../etc/passwd", b"root")
        zf.writestr("manifest.json", b"{}")
        zf.writestr("manifest.sig", b"x")
    report = verify_pack(evil)
    assert not report.ok
    assert any("unsafe path" in e and "../../etc/passwd" in e for e in report.errors)


def test_not_a_zip(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip file at all")
    report = verify_pack(junk)
    assert not report.ok and not report.is_zip
    assert "not a ZIP" in report.errors[0]


def test_missing_signature_file(pack, tmp_path):
    bad = rewrite(pack, tmp_path / "bad.zip", drop={"manifest.sig"})
    report = verify_pack(bad)
    assert not report.ok
    assert report.errors == ["manifest.sig is missing"]


def test_command_succeeds_on_intact_pack(pack):
    out = io.StringIO()
    call_command("verify_pack", str(pack), stdout=out)
    assert "VERIFIED" in out.getvalue()


def test_command_fails_naming_the_changed_file(pack, tmp_path):
    bad = rewrite(pack, tmp_path / "bad.zip", replace={"inventory.csv": b"tampered"})
    with pytest.raises(CommandError, match="changed: inventory.csv"):
        call_command("verify_pack", str(bad), stdout=io.StringIO(), stderr=io.StringIO())


def test_command_exit_status_is_nonzero(pack, tmp_path, settings):
    """Run as a real process: scripts and CI rely on the exit code."""
    import os
    import subprocess
    import sys

    bad = rewrite(pack, tmp_path / "bad.zip", drop={"inventory.csv"})
    env = {
        **os.environ,
        "SIGHTLINE_PACK_SIGNING_KEY_PATH": str(settings.SIGHTLINE_PACK_SIGNING_KEY_PATH),
        "DEBUG": "1",
    }
    proc = subprocess.run(
        [sys.executable, "manage.py", "verify_pack", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert proc.returncode != 0
    assert "removed (listed in manifest, missing from ZIP): inventory.csv" in proc.stderr
    ok = subprocess.run(
        [sys.executable, "manage.py", "verify_pack", str(pack)],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr


def test_verify_with_explicit_public_key_file(pack, tmp_path):
    pem = tmp_path / "pub.pem"
    pem.write_text(signing.public_key_pem())
    call_command("verify_pack", str(pack), "--public-key", str(pem), stdout=io.StringIO())


def test_duplicate_display_names_get_unique_paths(tmp_path):
    writer = PackWriter(tmp_path / "p.zip")
    a = writer.unique_name("evidence/A/x/file.pdf")
    writer.add_bytes(a, b"1")
    b = writer.unique_name("evidence/A/x/file.pdf")
    writer.add_bytes(b, b"2")
    writer.finish(pack={}, pdf_name="pack.pdf")
    assert b == "evidence/A/x/file (2).pdf"
    assert verify_pack(tmp_path / "p.zip").ok
