import io

import pytest

from core.audit import audit_verify
from core.models import AuditEntry
from inventory.models import AISystem, Vendor

pytestmark = pytest.mark.django_db


def seed() -> None:
    """Only core's and inventory's demo data; the full seed_demo also runs the later apps'."""
    from core import demo as core_demo
    from inventory import demo as inventory_demo

    core_demo.seed(stdout=io.StringIO())
    inventory_demo.seed(stdout=io.StringIO())


def test_seed_demo_is_idempotent_and_audited():
    seed()
    systems, vendors, entries = (
        AISystem.objects.count(),
        Vendor.objects.count(),
        AuditEntry.objects.count(),
    )
    seed()
    assert (AISystem.objects.count(), Vendor.objects.count(), AuditEntry.objects.count()) == (
        systems,
        vendors,
        entries,
    )
    assert systems >= 15 and vendors >= 8
    assert AuditEntry.objects.filter(action="system.create").count() == systems
    assert audit_verify().ok


def test_demo_covers_the_regime_facts():
    seed()
    facts = [s.facts() for s in AISystem.objects.all()]
    assert any(
        "emotion_recognition" in f["capabilities"] and "EU" in f["subjects_in"] for f in facts
    )
    assert any("public_agency" in f["roles"] and "MD" in f["subjects_in"] for f in facts)
    assert any(f["training_ops"] >= 1e26 for f in facts)
    assert any(f["lifecycle"] == "retired" for f in facts)
    assert AISystem.objects.filter(origin="discovered").exists()
