import pytest
from django.core.exceptions import ValidationError

from core.audit import audit_history, audit_verify
from core.models import AuditEntry
from inventory.models import AISystem, Vendor
from inventory.services import (
    ai_system_create,
    ai_system_delete,
    ai_system_update,
    vendor_create,
    vendor_delete,
    vendor_update,
)
from inventory.signals import system_changed

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Resume ranker",
    "model_type": "ml_classifier",
    "roles": ["deployer"],
    "jurisdictions": ["CO", "DE"],
    "domains": ["employment"],
    "decision_role": "substantial_factor",
}


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    system_changed.connect(receiver, dispatch_uid="test-receiver")
    yield calls
    system_changed.disconnect(dispatch_uid="test-receiver")


def test_create_audits_every_set_field(officer):
    system = ai_system_create(actor=officer, data=VALID)
    entry = AuditEntry.objects.get(action="system.create")
    assert entry.target_id == str(system.pk)
    assert entry.actor_label == "officer"
    assert entry.changes["jurisdictions"] == [None, ["CO", "DE"]]
    assert "updated_at" not in entry.changes


def test_create_rejects_unknown_vocabulary_and_writes_nothing(officer):
    with pytest.raises(ValidationError) as err:
        ai_system_create(actor=officer, data=dict(VALID, domains=["astrology"]))
    assert "astrology" in str(err.value)
    assert not AISystem.objects.exists()
    assert not AuditEntry.objects.exists()


def test_create_rejects_unknown_field(officer):
    with pytest.raises(ValidationError):
        ai_system_create(actor=officer, data=dict(VALID, colour="red"))


def test_create_accepts_foreign_keys_as_pk(officer):
    vendor = vendor_create(actor=officer, data={"name": "Acme AI"})
    system = ai_system_create(actor=officer, data=dict(VALID, vendor=vendor.pk, owner=officer.pk))
    assert system.vendor == vendor
    assert system.owner == officer


def test_signal_fires_on_commit_with_created_flag(
    officer, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        system = ai_system_create(actor=officer, data=VALID)
    with django_capture_on_commit_callbacks(execute=True):
        ai_system_update(actor=officer, system=system, data={"lifecycle": "retired"})
    assert [(c["system"].pk, c["created"], c["actor"]) for c in received] == [
        (system.pk, True, officer),
        (system.pk, False, officer),
    ]


def test_update_records_only_changed_fields(officer):
    system = ai_system_create(actor=officer, data=VALID)
    ai_system_update(
        actor=officer, system=system, data={"lifecycle": "retired", "name": "Resume ranker"}
    )
    entry = AuditEntry.objects.get(action="system.update")
    assert entry.changes == {"lifecycle": ["planned", "retired"]}


def test_noop_update_writes_no_entry_and_sends_nothing(
    officer, received, django_capture_on_commit_callbacks
):
    system = ai_system_create(actor=officer, data=VALID)
    with django_capture_on_commit_callbacks(execute=True):
        ai_system_update(actor=officer, system=system, data={"name": "Resume ranker"})
    assert not AuditEntry.objects.filter(action="system.update").exists()
    assert received == []


def test_delete_keeps_last_facts_in_history(officer):
    system = ai_system_create(actor=officer, data=VALID)
    pk = system.pk
    ai_system_delete(actor=officer, system=system)
    assert not AISystem.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(action="system.delete")
    assert entry.target_id == str(pk)
    assert entry.changes["name"] == ["Resume ranker", None]
    assert audit_verify().ok


def test_history_lists_create_then_update(officer):
    system = ai_system_create(actor=officer, data=VALID)
    ai_system_update(actor=officer, system=system, data={"team": "HR"})
    assert [e.action for e in audit_history(system).order_by("seq")] == [
        "system.create",
        "system.update",
    ]


def test_vendor_lifecycle_is_audited(procurement):
    vendor = vendor_create(
        actor=procurement, data={"name": "Acme AI", "website": "https://acme.example"}
    )
    vendor_update(actor=procurement, vendor=vendor, data={"contact_email": "a@acme.example"})
    vendor_delete(actor=procurement, vendor=vendor)
    assert list(AuditEntry.objects.order_by("seq").values_list("action", flat=True)) == [
        "vendor.create",
        "vendor.update",
        "vendor.delete",
    ]
    assert not Vendor.objects.exists()


def test_vendor_in_use_cannot_be_deleted(officer):
    vendor = vendor_create(actor=officer, data={"name": "Acme AI"})
    ai_system_create(actor=officer, data=dict(VALID, vendor=vendor))
    with pytest.raises(ValidationError, match="1 system"):
        vendor_delete(actor=officer, vendor=vendor)
    assert Vendor.objects.filter(pk=vendor.pk).exists()


def test_vendor_invalid_website_rejected(officer):
    with pytest.raises(ValidationError):
        vendor_create(actor=officer, data={"name": "Bad", "website": "not a url"})
