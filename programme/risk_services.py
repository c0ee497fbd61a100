"""Writes to the risk register and control mapping: atomic, validated, audited."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.audit import audit_record, create_audited, diff, snapshot, update_audited
from core.storage import store_upload
from programme.models import Control, ControlEvidence, Risk, RiskControl, SystemControl

RISK_FIELDS = [
    "system",
    "title",
    "description",
    "category",
    "likelihood",
    "impact",
    "residual_likelihood",
    "residual_impact",
    "owner",
    "treatment",
    "treatment_plan",
    "due_date",
    "status",
]


def _assign(risk: Risk, data: Mapping[str, Any]) -> None:
    unknown = sorted(set(data) - set(RISK_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Unknown field."))
    for name, value in data.items():
        setattr(risk, name, value)
    if (risk.residual_likelihood is None) != (risk.residual_impact is None):
        raise ValidationError(
            {"residual_impact": "Give residual likelihood and impact together, or neither."}
        )


@transaction.atomic
def risk_create(*, actor, data: Mapping[str, Any]) -> Risk:
    risk = Risk()
    _assign(risk, data)
    return create_audited(risk, actor=actor, action="risk.create", fields=RISK_FIELDS)


@transaction.atomic
def risk_update(*, actor, risk: Risk, data: Mapping[str, Any]) -> Risk:
    before = snapshot(Risk.objects.select_for_update().get(pk=risk.pk), RISK_FIELDS)
    _assign(risk, data)
    update_audited(risk, actor=actor, action="risk.update", before=before, fields=RISK_FIELDS)
    return risk


@transaction.atomic
def risk_control_map(
    *, actor, risk: Risk, control: Control, status: str = "planned", note: str = ""
) -> RiskControl:
    try:
        with transaction.atomic():
            mapping = RiskControl.objects.create(
                risk=risk, control=control, status=status, note=note
            )
    except IntegrityError as err:
        raise ValidationError(
            {"control": f"{control.code} is already mapped to this risk."}
        ) from err
    mapping.full_clean()
    audit_record(
        actor=actor,
        action="risk.control_map",
        target=mapping,
        changes={
            "risk": [None, risk.pk],
            "control": [None, control.code],
            "status": [None, status],
        },
    )
    return mapping


@transaction.atomic
def risk_control_update(
    *, actor, mapping: RiskControl, status: str, note: str, upload=None
) -> RiskControl:
    mapping = RiskControl.objects.select_for_update().get(pk=mapping.pk)
    _status_check(status)
    changes = _status_set(mapping, status=status, note=note)
    _changes_record(
        actor=actor, action="risk.control_update", item=mapping, changes=changes, upload=upload
    )
    return mapping


def _status_check(status: str) -> None:
    if status not in RiskControl.Status.values:
        raise ValidationError({"status": "Unknown implementation status."})


def _status_set(item: RiskControl | SystemControl, *, status: str, note: str) -> dict:
    """Saves the new status and note; what changed, for the audit entry."""
    before = {"status": item.status, "note": item.note}
    item.status, item.note = status, note
    item.save()
    return diff(before, {"status": status, "note": note})


def _changes_record(
    *, actor, action: str, item: RiskControl | SystemControl, changes: dict, upload
) -> None:
    """Stores the upload as the item's evidence, then one audit entry for all that changed
    (none when nothing did)."""
    if upload is not None:
        owner = "mapping" if isinstance(item, RiskControl) else "system_control"
        evidence = _store_evidence(actor=actor, upload=upload, **{owner: item})
        changes["evidence"] = [None, {"file": evidence.file_name, "sha256": evidence.sha256}]
    if changes:
        audit_record(actor=actor, action=action, target=item, changes=changes)


def _store_evidence(*, actor, upload, **owner) -> ControlEvidence:
    """The upload into the sha256 blob store (type sniffed, size bounded), listed for its owner."""
    blob, sniffed = store_upload(
        fileobj=upload, name=upload.name, max_bytes=settings.SIGHTLINE_EVIDENCE_MAX_BYTES
    )
    return ControlEvidence.objects.create(
        sha256=blob.sha256,
        file_name=upload.name[:255],
        size=blob.size,
        content_type=sniffed.content_type,
        kind=sniffed.kind,
        uploaded_by=actor,
        **owner,
    )


@transaction.atomic
def system_control_record(
    *, actor, system, control: Control, status: str, note: str = "", upload=None
) -> SystemControl:
    """A control's status (and evidence) for a system, or the organisation when no system,
    recorded without a risk; one row per system and control, audited on every change."""
    _status_check(status)
    item, created = SystemControl.objects.select_for_update().get_or_create(
        system=system, control=control, defaults={"status": status, "note": note}
    )
    if created:
        changes = {"control": [None, control.code], "status": [None, status], "note": [None, note]}
    else:
        changes = _status_set(item, status=status, note=note)
    _changes_record(actor=actor, action="control.record", item=item, changes=changes, upload=upload)
    return item
