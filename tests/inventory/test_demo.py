import io

import pytest
from django.core.management import call_command

from core.audit import audit_verify
from core.models import AuditEntry
from inventory.models import AISystem, Vendor

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_audited():
    call_command("seed_demo", stdout=io.StringIO())
    systems, vendors, entries = (
        AISystem.objects.count(),
        Vendor.objects.count(),
        AuditEntry.objects.count(),
    )
    call_command("seed_demo", stdout=io.StringIO())
    assert (AISystem.objects.count(), Vendor.objects.count(), AuditEntry.objects.count()) == (
        systems, vendors, entries,
    )  # fmt: skip
    assert systems >= 15 and vendors >= 8
    assert AuditEntry.objects.filter(action="system.create").count() == systems
    assert audit_verify().ok


def test_demo_covers_the_regime_facts():
    call_command("seed_demo", stdout=io.StringIO())
    facts = [s.facts() for s in AISystem.objects.all()]
    assert any(
        "emotion_recognition" in f["capabilities"] and "EU" in f["subjects_in"] for f in facts
    )
    assert any("public_agency" in f["roles"] and "MD" in f["subjects_in"] for f in facts)
    assert any(f["training_ops"] >= 1e26 for f in facts)
    assert any(f["lifecycle"] == "retired" for f in facts)
    assert AISystem.objects.filter(origin="discovered").exists()
