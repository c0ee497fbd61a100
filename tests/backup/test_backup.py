"""export_all / import_all: a full round trip into an empty database keeps the audit chain verifiable."""

import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command

from core.audit import audit_record
from core.models import AuditEntry
from inventory.models import AISystem

pytestmark = pytest.mark.django_db(transaction=True)


def _populate(users) -> dict:
    from inventory.services import ai_system_create
    from tests.matrix.assessments import checklist

    officer = users["compliance_officer"]
    for i in range(3):
        ai_system_create(
            actor=officer,
            data={
                "name": f"Backup system {i}",
                "team": "Risk",
                "lifecycle": "in_use",
                "model_type": "ml_classifier",
            },
        )
    # Awkward JSON: unicode, floats, huge ints, nesting, empty containers.
    audit_record(
        actor=officer,
        action="backup.probe",
        target_type="x",
        target_id="1",
        changes={"é": [0.1, 1e-300, 3e26, 2**60], "n": {"a": [], "b": {}}, "s": "\u2603\n"},
    )
    return checklist(users)


def _snapshot() -> dict:
    rows = list(AuditEntry.objects.order_by("seq").values())
    return {
        "audit": [
            (
                r["seq"],
                r["created_at"],
                r["hash"],
                r["prev_hash"],
                json.dumps(r["changes"], sort_keys=True),
            )
            for r in rows
        ],
        "systems": sorted(AISystem.objects.values_list("name", "created_at", "updated_at")),
    }


def test_round_trip_into_an_empty_database_keeps_everything(users, storage_dir, tmp_path):
    from assessments.models import EvidenceFile
    from core.storage import blob_path

    _populate(users)
    assert any(e.created_at.microsecond % 1000 for e in AuditEntry.objects.all())
    before = _snapshot()
    evidence = EvidenceFile.objects.get()
    blob_bytes = blob_path(evidence.sha256).read_bytes()
    out = io.StringIO()
    call_command("export_all", str(tmp_path / "backup"), stdout=out)
    assert "Backed up" in out.getvalue()

    call_command("flush", interactive=False, verbosity=0)
    blob_path(evidence.sha256).unlink()
    assert AuditEntry.objects.count() == 0

    out = io.StringIO()
    call_command("import_all", str(tmp_path / "backup"), stdout=out)
    assert "Audit chain: intact" in out.getvalue()
    assert _snapshot() == before
    call_command("verify_audit", stdout=io.StringIO())
    restored = EvidenceFile.objects.get()
    assert blob_path(restored.sha256).read_bytes() == blob_bytes
    assert hashlib.sha256(blob_bytes).hexdigest() == restored.sha256
    # The restored database keeps working: new writes extend the same chain.
    audit_record(actor=users["admin"].username, action="after.restore", target_type="x")
    call_command("verify_audit", stdout=io.StringIO())


def test_import_refuses_a_non_empty_database_without_yes(users, storage_dir, tmp_path):
    _populate(users)
    call_command("export_all", str(tmp_path / "backup"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_all", str(tmp_path / "backup"), stdout=io.StringIO())
    AISystem.objects.filter(name="Backup system 0").update(name="Changed after backup")
    call_command("import_all", str(tmp_path / "backup"), "--yes", stdout=io.StringIO())
    assert AISystem.objects.filter(name="Backup system 0").exists()
    assert not AISystem.objects.filter(name="Changed after backup").exists()


def test_a_tampered_blob_stops_the_import_before_anything_is_written(users, storage_dir, tmp_path):
    _populate(users)
    call_command("export_all", str(tmp_path / "backup"), stdout=io.StringIO())
    blob = next((tmp_path / "backup" / "files" / "blobs").rglob("*"))
    while blob.is_dir():
        blob = next(blob.iterdir())
    blob.write_bytes(blob.read_bytes() + b"tampered")
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="does not match its sha256"):
        call_command("import_all", str(tmp_path / "backup"), stdout=io.StringIO())
    assert AuditEntry.objects.count() == 0
    assert AISystem.objects.count() == 0


def test_export_refuses_a_non_empty_target(users, storage_dir, tmp_path):
    target = tmp_path / "occupied"
    target.mkdir()
    (target / "x").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_all", str(target), stdout=io.StringIO())
