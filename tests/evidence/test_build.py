import datetime as dt
import zipfile

import pytest

from core.models import AuditEntry
from evidence.manifest import verify_pack
from evidence.models import EvidencePack
from evidence.services import pack_create
from inventory.services import ai_system_create, vendor_create

PERIOD = {"period_from": dt.date(2020, 1, 1), "period_to": dt.date(2030, 12, 31)}


@pytest.fixture
def systems(officer):
    vendor = vendor_create(actor=officer, data={"name": "Acme AI"})
    a = ai_system_create(
        actor=officer,
        data={"name": "HireBot", "vendor": vendor, "model_type": "ml_classifier", "owner": officer},
    )
    b = ai_system_create(actor=officer, data={"name": "In-house scorer", "model_type": "rules"})
    return [a, b]


@pytest.fixture
def built(storage_dir, auditor, systems, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pack = pack_create(actor=auditor, **PERIOD)
    pack.refresh_from_db()
    return pack


def test_pack_builds_and_verifies(built, storage_dir):
    assert built.status == EvidencePack.Status.DONE, built.error
    assert built.progress == 100
    zip_path = storage_dir / built.zip_path
    report = verify_pack(zip_path)
    assert report.ok, report.problems()
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
    assert {
        f"sightline-evidence-pack-{built.pk}.pdf",
        "inventory.csv",
        "findings.csv",
        "classifications.json",
        "manifest.json",
        "manifest.sig",
    } <= names
    assert built.pdf_pages >= 6


def test_pack_create_and_build_are_audited(built):
    actions = list(
        AuditEntry.objects.filter(target_type="evidence.evidencepack").values_list(
            "action", flat=True
        )
    )
    assert "pack.create" in actions and "pack.build" in actions
