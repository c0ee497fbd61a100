"""Writes to the inventory: atomic, validated with full_clean, audited, and announced on commit."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError

from core.audit import audit_record, diff, snapshot, update_audited
from inventory.models import RISK_ORDER, AISystem, Vendor
from inventory.signals import system_changed

# Bookkeeping timestamps change on every save; leaving them out keeps diffs to real changes.
# The risk projection is derived from classification results, which are audited themselves.
_UNAUDITED = {"created_at", "updated_at", "risk_tier", "risk_tiers"}


def _audited_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name not in _UNAUDITED]


def _assign(instance: models.Model, data: Mapping[str, Any]) -> None:
    """Set fields from a dict keyed by field name; FKs accept an instance, a pk or None."""
    editable = {
        f.name: f
        for f in instance._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in _UNAUDITED
    }
    unknown = sorted(set(data) - set(editable))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Unknown field."))
    for name, value in data.items():
        field = editable[name]
        if field.is_relation:
            if isinstance(value, models.Model) or value is None:
                setattr(instance, name, value)
            else:
                setattr(instance, field.attname, value or None)
        else:
            setattr(instance, name, value)


def _announce(system: AISystem, actor, created: bool) -> None:
    transaction.on_commit(
        lambda: system_changed.send(sender=AISystem, system=system, actor=actor, created=created)
    )


@transaction.atomic
def ai_system_create(*, actor, data: Mapping[str, Any]) -> AISystem:
    """The one way a system enters the inventory, whether declared, imported or discovered."""
    system = AISystem()
    _assign(system, data)
    system.full_clean()
    system.save()
    fields = _audited_fields(AISystem)
    audit_record(
        actor=actor,
        action="system.create",
        target=system,
        changes=diff(None, snapshot(system, fields)),
    )
    _announce(system, actor, created=True)
    return system


@transaction.atomic
def ai_system_update(*, actor, system: AISystem, data: Mapping[str, Any]) -> AISystem:
    """Changes facts the classification reads, so every change is audited and announced."""
    fields = _audited_fields(AISystem)
    before = snapshot(AISystem.objects.select_for_update().get(pk=system.pk), fields)
    _assign(system, data)
    if system.intake_pending and not system.missing_facts():
        system.intake_pending = False  # intake is over once every required fact is set
    system.full_clean()
    after = snapshot(system, fields)
    changes = diff(before, after)
    if not changes:
        return system
    system.save()
    audit_record(actor=actor, action="system.update", target=system, changes=changes)
    _announce(system, actor, created=False)
    return system


@transaction.atomic
def ai_system_intake_complete(*, actor, system: AISystem, data: Mapping[str, Any]) -> AISystem:
    """Intake ends only when every required fact is set; then the system is classified."""
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    _assign(system, data)
    missing = system.missing_facts()
    if missing:
        raise ValidationError(
            {
                name: "Required before this system can be classified."
                for name, label in (
                    ("owner", "owner"),
                    ("description", "purpose"),
                    ("jurisdictions", "jurisdictions"),
                    ("domains", "use-case domains"),
                )
                if label in missing
            }
        )
    return ai_system_update(actor=actor, system=system, data=data)


def ai_system_risk_record(
    *, system: AISystem, tiers: Mapping[str, str], merge: bool = False
) -> None:
    """Store each regime's tier and the highest one, so the list shows and filters risk without
    reading the results; a derived projection (the results carry the audit trail)."""
    current = dict(pair for pair in system.risk_by_regime) if merge else {}
    current.update({code: tier for code, tier in tiers.items() if tier})
    tokens = sorted({*current.values()}) + sorted(f"{c}:{t}" for c, t in current.items())
    ranked = sorted(current.values(), key=lambda t: RISK_ORDER.get(t, 99))
    highest = ranked[0] if ranked else ""
    if tokens == system.risk_tiers and highest == system.risk_tier:
        return
    AISystem.objects.filter(pk=system.pk).update(risk_tier=highest, risk_tiers=tokens)
    system.risk_tier, system.risk_tiers = highest, tokens


@transaction.atomic
def ai_system_delete(*, actor, system: AISystem) -> None:
    """Deleting keeps its last facts in the audit trail, so the record of it survives."""
    before = snapshot(system, _audited_fields(AISystem))
    pk, label = system.pk, str(system)
    try:
        system.delete()
    except ProtectedError as err:
        kinds = sorted({obj._meta.verbose_name_plural for obj in err.protected_objects})
        raise ValidationError(f"{label} is still referenced by {', '.join(kinds)}.") from err
    audit_record(
        actor=actor,
        action="system.delete",
        target_type=AISystem._meta.label_lower,
        target_id=str(pk),
        target_repr=label,
        changes=diff(before, None),
    )


@transaction.atomic
def vendor_create(*, actor, data: Mapping[str, Any]) -> Vendor:
    """Vendors own developer duties, so their records are audited like systems."""
    vendor = Vendor()
    _assign(vendor, data)
    vendor.full_clean()
    try:
        with transaction.atomic():
            vendor.save()
    except IntegrityError as exc:  # created by someone else between the check and the insert
        raise ValidationError({"name": "A vendor with this name already exists."}) from exc
    audit_record(
        actor=actor,
        action="vendor.create",
        target=vendor,
        changes=diff(None, snapshot(vendor, _audited_fields(Vendor))),
    )
    return vendor


@transaction.atomic
def vendor_update(*, actor, vendor: Vendor, data: Mapping[str, Any]) -> Vendor:
    """Audited edit; a no-op edit writes nothing."""
    fields = _audited_fields(Vendor)
    before = snapshot(Vendor.objects.select_for_update().get(pk=vendor.pk), fields)
    _assign(vendor, data)
    update_audited(vendor, actor=actor, action="vendor.update", before=before, fields=fields)
    return vendor


@transaction.atomic
def vendor_delete(*, actor, vendor: Vendor) -> None:
    """A vendor still named by systems cannot go: the systems would lose their supplier."""
    in_use = vendor.systems.count()
    if in_use:
        raise ValidationError(
            f"{vendor.name} is the vendor of {in_use} system(s); reassign or delete them first."
        )
    before = snapshot(vendor, _audited_fields(Vendor))
    pk, label = vendor.pk, str(vendor)
    vendor.delete()
    audit_record(
        actor=actor,
        action="vendor.delete",
        target_type=Vendor._meta.label_lower,
        target_id=str(pk),
        target_repr=label,
        changes=diff(before, None),
    )
