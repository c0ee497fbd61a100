"""Hostile files at every entry point: a clear error or a counted skip, and nothing half-written."""

import gzip
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEntry
from inventory.models import AISystem
from inventory.transfer import export_bytes, import_systems

SQUID_LINE = b"1715000101.123    842 192.0.2.10 TCP_MISS/200 5123 CONNECT chatgpt.com:443 alice HIER_DIRECT/104.18.32.47 -\n"


def _rollups():
    from discovery.models import UsageRollup

    return UsageRollup.objects.count()


# --- discovery ingest -------------------------------------------------------------------


def test_ingest_zero_byte_file_is_refused_or_empty(tmp_path, ingest):
    from discovery.models import IngestRun

    path = tmp_path / "empty.log"
    path.write_bytes(b"")
    try:
        run = ingest(path, fmt="squid")
    except ValidationError as exc:
        assert "empty" in " ".join(exc.messages).lower()
        assert IngestRun.objects.count() == 0
        return
    assert run.status == IngestRun.Status.FAILED
    assert "empty" in run.error
    assert run.lines_matched == 0
    assert _rollups() == 0


def test_ingest_nul_bytes_are_counted_skips(tmp_path, ingest):
    path = tmp_path / "nul.log"
    path.write_bytes(SQUID_LINE + b"\x00" * 5000 + b"\n" + b"abc\x00def\n" + SQUID_LINE)
    run = ingest(path, fmt="squid")
    assert run.status == "done", run.error
    assert run.lines_matched == 2
    assert run.lines_skipped == 2
    assert sum(run.skip_counts.values()) == run.lines_skipped


def test_ingest_ten_megabyte_line_is_skipped_not_fatal(tmp_path, ingest):
    path = tmp_path / "long.log"
    path.write_bytes(SQUID_LINE + b"x" * (10 * 1024 * 1024) + b"\n" + SQUID_LINE)
    run = ingest(path, fmt="squid")
    assert run.status == "done", run.error
    assert run.lines_matched == 2
    assert run.lines_skipped == 1
    for samples in run.skip_samples.values():
        assert all(len(s) <= 4096 for s in samples), "samples must be truncated"


def test_ingest_non_utf8_bytes_are_tolerated(tmp_path, ingest):
    path = tmp_path / "latin1.log"
    path.write_bytes(
        SQUID_LINE.replace(b"alice", "jos\u00e9".encode("latin-1")) + b"\xff\xfe\xfa\n"
    )
    run = ingest(path, fmt="squid")
    assert run.status == "done", run.error
    assert run.lines_matched == 1
    assert run.lines_skipped == 1


def test_ingest_gzip_bomb_is_cut_off_and_nothing_is_merged(tmp_path, ingest):
    from discovery.models import IngestRun

    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as fh:
        fh.write(SQUID_LINE)
        block = b"\n" * (8 * 1024 * 1024)
        for _ in range(12):  # 96 MB of newlines in ~100 kB: ratio ~1000
            fh.write(block)
    path = tmp_path / "bomb.log.gz"
    path.write_bytes(raw.getvalue())
    assert path.stat().st_size < 200_000
    run = ingest(path, fmt="squid")
    run.refresh_from_db()
    if run.status == IngestRun.Status.FAILED:
        assert (
            "ratio" in run.error.lower()
            or "bomb" in run.error.lower()
            or "limit" in run.error.lower()
        )
        assert _rollups() == 0
    else:
        cut = {
            k: v for k, v in run.skip_counts.items() if "gzip" in k or "bomb" in k or "limit" in k
        }
        assert cut, f"bomb not cut off: {run.skip_counts}"
        assert run.lines_read < 96 * 1024 * 1024


# --- evidence pack verifier ----------------------------------------------------------------


def test_zip_bomb_is_refused_by_the_pack_verifier(tmp_path, settings):
    settings.SIGHTLINE_PACK_SIGNING_KEY_PATH = tmp_path / "keys" / "k.ed25519"
    from evidence.manifest import verify_pack
    from evidence.signing import ensure_signing_key

    ensure_signing_key()
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", b"{}")
        with zf.open("big.bin", "w", force_zip64=True) as fh:
            chunk = b"\0" * (16 * 1024 * 1024)
            for _ in range(20):  # 320 MB of zeros, ~300 kB compressed
                fh.write(chunk)
    assert path.stat().st_size < 1_000_000
    report = verify_pack(path)
    assert not report.ok
    assert any("bomb" in e or "ratio" in e for e in report.errors), report.errors


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x00" * 1024, b"PK\x03\x04" + b"\xff" * 100, "caf\u00e9".encode("latin-1") * 50],
    ids=["empty", "nul", "truncated-zip", "non-utf8"],
)
def test_pack_verifier_reports_garbage_without_raising(tmp_path, settings, payload):
    settings.SIGHTLINE_PACK_SIGNING_KEY_PATH = tmp_path / "keys" / "k.ed25519"
    from evidence.manifest import verify_pack
    from evidence.signing import ensure_signing_key

    ensure_signing_key()
    path = tmp_path / "pack.zip"
    path.write_bytes(payload)
    report = verify_pack(path)
    assert not report.ok
    assert report.errors


# --- inventory import / export ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("empty.csv", b""),
        ("nul.csv", b"name,team\nA\x00B,x\n"),
        ("long.csv", b"name,team\n" + b"A" * (10 * 1024 * 1024) + b",x\n"),
        ("latin1.csv", "name,team\nJos\u00e9,\u00e9quipe\n".encode("latin-1")),
        ("fake.xlsx", b"PK\x03\x04 this is no workbook"),
        ("binary.csv", bytes(range(256)) * 10),
    ],
)
def test_inventory_import_hostile_file_gives_clear_error_and_writes_nothing(officer, name, payload):
    systems, audits = AISystem.objects.count(), AuditEntry.objects.count()
    result = import_systems(actor=officer, content=payload, filename=name)
    assert not result.ok
    messages = result.file_errors + [p for row in result.row_errors for p in row.messages]
    assert messages and all(isinstance(m, str) and m for m in messages)
    assert AISystem.objects.count() == systems
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_injection_is_neutralised_on_export(officer, fmt):
    from inventory.services import ai_system_create

    payloads = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", '@HYPERLINK("http://x")', "\t=1"]
    for i, payload in enumerate(payloads):
        ai_system_create(
            actor=officer,
            data={
                "name": f"System {i}",
                "description": payload,
                "team": payload,
                "lifecycle": "in_use",
                "model_type": "ml_classifier",
            },
        )
    data = export_bytes(AISystem.objects.all(), fmt)
    if fmt == "csv":
        import csv

        cells = [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
        assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    for payload in payloads:
        assert payload not in cells
        assert "'" + payload in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t")]
    # And the neutralised export imports back to the original text (forms strip outer whitespace).
    back = import_systems(actor=officer, content=data, filename=f"x.{fmt}")
    assert back.ok, back.row_errors
    assert sorted(AISystem.objects.values_list("team", flat=True)) == sorted(
        p.strip() for p in payloads
    )


def test_xlsx_export_survives_control_characters_in_text(officer, client):
    """Control characters (legal in a CSV or a form field) must not break the XLSX export."""
    from django.urls import reverse

    from inventory.services import ai_system_create
    from tests.conftest import PASSWORD

    ai_system_create(
        actor=officer,
        data={
            "name": "Bell system",
            "description": "ring\x07bell\x1b[0m",
            "team": "ops",
            "lifecycle": "in_use",
            "model_type": "ml_classifier",
        },
    )
    client.login(username=officer.username, password=PASSWORD)
    response = client.get(reverse("inventory:system-export") + "?format=xlsx")
    assert response.status_code == 200
