"""Vendor evidence writes: checklists from the content, immutable uploads, reviews and expiry."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessments.models import ChecklistItemStatus, EvidenceFile, VendorChecklist
from assessments.notifications import evidence_expiring_notify
from core.audit import audit_record
from core.storage import store_upload
from inventory.models import AISystem
from regulations.selectors import checklist_items_for_system
from regulations.services import deadline_create

Status = ChecklistItemStatus.Status
LIVE = (Status.PROVIDED, Status.UNDER_REVIEW, Status.ACCEPTED)


def _items_for(system) -> list:
    return list(checklist_items_for_system(system))


@transaction.atomic
def checklist_sync(*, actor, checklist: VendorChecklist) -> int:
    """Add rows for items the system's regimes now require; existing rows and their history stay."""
    have = set(checklist.items.values_list("item_id", flat=True))
    new = [
        ChecklistItemStatus(checklist=checklist, item=item)
        for item in _items_for(checklist.system)
        if item.pk not in have
    ]
    ChecklistItemStatus.objects.bulk_create(new)
    checklist.synced_at = timezone.now()
    checklist.save(update_fields=["synced_at"])
    if new:
        audit_record(
            actor=actor,
            action="checklist.sync",
            target=checklist,
            changes={"added": [row.item.key for row in new]},
        )
    return len(new)


@transaction.atomic
def checklist_create(*, actor, vendor, system) -> VendorChecklist:
    """One checklist per vendor and system; creating it again just re-syncs the items."""
    if not actor.has_perm("assessments.add_vendorchecklist"):
        raise PermissionDenied("You may not create vendor checklists.")
    if system.vendor_id and system.vendor_id != vendor.pk:
        raise ValidationError(f"{system} is supplied by {system.vendor}, not {vendor}.")
    checklist, created = VendorChecklist.objects.get_or_create(
        vendor=vendor, system=system, defaults={"created_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action="checklist.create",
            target=checklist,
            changes={"vendor": vendor.pk, "system": system.pk},
        )
    checklist_sync(actor=actor, checklist=checklist)
    return checklist


def checklists_ensure(*, actor) -> list[VendorChecklist]:
    """Every vendor whose system the applicable regimes ask documentation for gets its checklist
    (created once, each creation audited); returns the ones it created."""
    have = set(VendorChecklist.objects.values_list("vendor_id", "system_id"))
    created = []
    for system in AISystem.objects.filter(vendor__isnull=False).select_related("vendor"):
        if (system.vendor_id, system.pk) in have or not _items_for(system):
            continue
        created.append(checklist_create(actor=actor, vendor=system.vendor, system=system))
    return created


@transaction.atomic
def evidence_upload(
    *,
    actor,
    item_status: ChecklistItemStatus,
    upload,
    effective_date: dt.date | None = None,
    expiry_date: dt.date | None = None,
    note: str = "",
) -> EvidenceFile:
    """Store a sniffed file content-addressed; a replacement is a new version that supersedes the old."""
    if not actor.has_perm("assessments.upload_evidence"):
        raise PermissionDenied("You may not upload evidence.")
    today = timezone.localdate()
    if expiry_date and effective_date and expiry_date < effective_date:
        raise ValidationError("The expiry date is before the effective date.")
    if expiry_date and expiry_date < today:
        raise ValidationError("The expiry date is in the past; this document has already expired.")
    item_status = ChecklistItemStatus.objects.select_for_update(of=("self",)).get(pk=item_status.pk)
    blob, sniffed = store_upload(
        fileobj=upload,
        name=getattr(upload, "name", "file"),
        max_bytes=settings.SIGHTLINE_EVIDENCE_MAX_BYTES,
    )
    previous = item_status.current_file
    checklist = item_status.checklist
    evidence = EvidenceFile.objects.create(
        vendor=checklist.vendor,
        system=checklist.system,
        checklist_item=item_status.item,
        item_status=item_status,
        name=str(getattr(upload, "name", "file"))[:255],
        content_type=sniffed.content_type,
        kind=sniffed.kind,
        size=blob.size,
        sha256=blob.sha256,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
        effective_date=effective_date,
        expiry_date=expiry_date,
        version=(previous.version + 1) if previous else 1,
        supersedes=previous,
        note=(note or "").strip()[:500],
    )
    old_status = item_status.status
    item_status.current_file = evidence
    item_status.status = Status.PROVIDED
    item_status.reason = ""
    item_status.reviewed_by, item_status.reviewed_at = None, None
    item_status.save()
    audit_record(
        actor=actor,
        action="evidence.upload",
        target=evidence,
        changes={
            "item": item_status.item.key,
            "checklist": checklist.pk,
            "sha256": blob.sha256,
            "size": blob.size,
            "content_type": sniffed.content_type,
            "version": evidence.version,
            "supersedes": previous.pk if previous else None,
            "status": [old_status, item_status.status],
            "expiry_date": expiry_date,
        },
    )
    return evidence


REVIEWABLE = {Status.UNDER_REVIEW, Status.ACCEPTED, Status.REJECTED}


@transaction.atomic
def evidence_review(
    *, actor, item_status: ChecklistItemStatus, decision: str, reason: str = ""
) -> ChecklistItemStatus:
    """An officer's verdict on the current file; a rejection must say why (the vendor will be told)."""
    if not actor.has_perm("assessments.review_evidence"):
        raise PermissionDenied("You may not review evidence.")
    item_status = ChecklistItemStatus.objects.select_for_update(of=("self",)).get(pk=item_status.pk)
    if decision not in REVIEWABLE:
        raise ValidationError("Choose under review, accept or reject.")
    if item_status.current_file_id is None:
        raise ValidationError("There is no file to review for this item yet.")
    if item_status.status == Status.EXPIRED:
        raise ValidationError("The current file has expired; a new version must be uploaded.")
    reason = (reason or "").strip()
    if decision == Status.REJECTED and not reason:
        raise ValidationError("Give a reason for the rejection.")
    old = item_status.status
    item_status.status = decision
    item_status.reason = reason[:2000] if decision == Status.REJECTED else ""
    item_status.reviewed_by, item_status.reviewed_at = actor, timezone.now()
    item_status.save()
    audit_record(
        actor=actor,
        action="evidence.review",
        target=item_status,
        changes={
            "status": [old, decision],
            "reason": item_status.reason,
            "file": item_status.current_file_id,
        },
    )
    return item_status


def evidence_expiry_check(*, today: dt.date | None = None) -> dict[str, int]:
    """Mark lapsed evidence expired and put upcoming expiries in the deadline tracker, once each."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.SIGHTLINE_EVIDENCE_EXPIRY_NOTICE_DAYS)
    counts = {"expired": 0, "deadlines": 0}
    lapsed = ChecklistItemStatus.objects.filter(
        status__in=LIVE, current_file__expiry_date__lt=today
    ).values_list("pk", flat=True)
    for pk in list(lapsed):
        with transaction.atomic():
            row = (
                ChecklistItemStatus.objects.select_for_update(of=("self",))
                .select_related("current_file")
                .get(pk=pk)
            )
            if row.status not in LIVE or not row.current_file.expiry_date < today:
                continue
            old = row.status
            row.status = Status.EXPIRED
            row.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=None,
                action="evidence.expire",
                target=row,
                changes={"status": [old, row.status], "expiry_date": row.current_file.expiry_date},
            )
            counts["expired"] += 1
    upcoming = (
        ChecklistItemStatus.objects.filter(
            status__in=LIVE,
            current_file__expiry_date__gte=today,
            current_file__expiry_date__lte=horizon,
        )
        .exclude(expiry_deadline_for=F("current_file"))
        .values_list("pk", flat=True)
    )
    for pk in list(upcoming):
        with transaction.atomic():
            row = (
                ChecklistItemStatus.objects.select_for_update(of=("self",))
                .select_related("current_file", "checklist__vendor", "checklist__system", "item")
                .get(pk=pk)
            )
            if row.expiry_deadline_for_id == row.current_file_id:
                continue
            evidence = row.current_file
            deadline_create(
                actor=None,
                title=f"Evidence expires: {row.item.title or row.item.key} ({row.checklist.vendor})",
                due_date=evidence.expiry_date,
                kind="evidence_expiry",
                system=row.checklist.system,
                regime_code=row.item.content_version.regime.code,
                source_type="assessments.evidencefile",
                source_id=str(evidence.pk),
                notes=f"{evidence.name} v{evidence.version} (sha256 {evidence.sha256[:12]}…) "
                "needs a renewed document from the vendor.",
            )
            row.expiry_deadline_for = evidence
            row.save(update_fields=["expiry_deadline_for", "updated_at"])
            evidence_expiring_notify(row=row, evidence=evidence)
            counts["deadlines"] += 1
    return counts
