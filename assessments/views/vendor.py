"""Vendor evidence pages: scorecard and checklists, uploads, reviews, request e-mail, downloads."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from assessments.models import ChecklistItemStatus, EvidenceFile, VendorChecklist
from assessments.selectors import (
    checklist_list,
    checklist_request_text,
    checklist_rows,
    completeness,
    evidence_versions,
    vendor_scorecard,
)
from assessments.services import checklist_create, checklist_sync, evidence_review, evidence_upload
from assessments.views.common import blob_download
from core.htmx import HtmxHttpRequest, error_text, is_partial
from core.permissions import permission_required, reader_required
from core.storage import human_size
from inventory.models import AISystem, Vendor


@require_GET
@reader_required
def checklist_list_view(request: HtmxHttpRequest) -> HttpResponse:
    checklists = list(checklist_list(filters=request.GET))
    for checklist in checklists:
        checklist.score = completeness(checklist.items.all())
    systems = AISystem.objects.filter(vendor__isnull=False).select_related("vendor")
    context = {"checklists": checklists, "scorecard": vendor_scorecard(), "systems": systems}
    return render(request, "assessments/checklist_list.html", context)


@require_POST
@permission_required("assessments.add_vendorchecklist")
def checklist_create_view(request: HtmxHttpRequest) -> HttpResponse:
    system = get_object_or_404(
        AISystem.objects.select_related("vendor"), pk=request.POST.get("system") or 0
    )
    vendor_id = request.POST.get("vendor") or system.vendor_id
    vendor = get_object_or_404(Vendor, pk=vendor_id or 0)
    try:
        checklist = checklist_create(actor=request.user, vendor=vendor, system=system)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("assessments:checklist-list")
    if not checklist.items.exists():
        messages.info(
            request,
            "No vendor documentation items apply to this system yet: classify it first "
            "(items come from the regimes that apply).",
        )
    return redirect("assessments:checklist-detail", pk=checklist.pk)


def _checklist(pk: int) -> VendorChecklist:
    return get_object_or_404(VendorChecklist.objects.select_related("vendor", "system"), pk=pk)


def _row_context(request: HtmxHttpRequest, row: ChecklistItemStatus, **extra) -> dict:
    today = timezone.localdate()
    expiry = row.current_file.expiry_date if row.current_file_id else None
    days_left = (expiry - today).days if expiry else None
    notice = settings.SIGHTLINE_EVIDENCE_EXPIRY_NOTICE_DAYS
    return {
        "expiring_in": days_left if days_left is not None and 0 <= days_left <= notice else None,
        "row": row,
        "versions": evidence_versions(row),
        "can_upload": request.user.has_perm("assessments.upload_evidence"),
        "can_review": request.user.has_perm("assessments.review_evidence"),
        "today": today,
        **extra,
    }


@require_GET
@reader_required
def checklist_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    checklist = _checklist(pk)
    rows = checklist_rows(checklist)
    context = {
        "checklist": checklist,
        "items": [_row_context(request, row) for row in rows],
        "score": completeness(rows),
        "can_sync": request.user.has_perm("assessments.add_vendorchecklist"),
        "statuses": ChecklistItemStatus.Status,
    }
    return render(request, "assessments/checklist_detail.html", context)


@require_POST
@permission_required("assessments.add_vendorchecklist")
def checklist_sync_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    checklist = _checklist(pk)
    added = checklist_sync(actor=request.user, checklist=checklist)
    messages.success(request, f"{added} new item(s) added from the applicable regimes.")
    return redirect("assessments:checklist-detail", pk=pk)


@require_GET
@reader_required
def checklist_request(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    checklist = _checklist(pk)
    sender = request.user.get_full_name() or request.user.get_username()
    text = checklist_request_text(checklist=checklist, sender_name=sender)
    return render(
        request, "assessments/checklist_request.html", {"checklist": checklist, "text": text}
    )


def _date(value: str, label: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"The {label} must be a date (YYYY-MM-DD).") from None


def _typed_date(value: str) -> str:
    """A typed date to put back in a date input; anything else would not show there anyway."""
    value = (value or "").strip()
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return ""


def _item(pk: int) -> ChecklistItemStatus:
    return get_object_or_404(
        ChecklistItemStatus.objects.select_related(
            "checklist__vendor",
            "checklist__system",
            "item__content_version__regime",
            "current_file__uploaded_by",
            "reviewed_by",
        ),
        pk=pk,
    )


def _row_response(request: HtmxHttpRequest, row: ChecklistItemStatus, **extra) -> HttpResponse:
    """The row, plus the checklist's summary swapped out of band, so the page needs no reload."""
    row = _item(row.pk)
    summary = completeness(checklist_rows(row.checklist))
    return render(
        request,
        "assessments/partials/checklist_item.html",
        _row_context(request, row, oob_summary=summary, **extra),
    )


@require_POST
@permission_required("assessments.upload_evidence")
def evidence_upload_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Invalid files come back as the same row with the reason (200), never a 500."""
    row = _item(pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError("Choose a file to upload.")
        evidence = evidence_upload(
            actor=request.user,
            item_status=row,
            upload=upload,
            effective_date=_date(request.POST.get("effective_date", ""), "effective date"),
            expiry_date=_date(request.POST.get("expiry_date", ""), "expiry date"),
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        if not is_partial(request):
            messages.error(request, error_text(exc))
            return redirect("assessments:checklist-detail", pk=row.checklist_id)
        return _row_response(
            request,
            row,
            upload_error=error_text(exc),
            upload_name=getattr(upload, "name", ""),
            # What was typed stays typed: only the file has to be chosen again.
            typed_effective=_typed_date(request.POST.get("effective_date", "")),
            typed_expiry=_typed_date(request.POST.get("expiry_date", "")),
        )
    notice = (
        f"Stored {evidence.name} as version {evidence.version} "
        f"({human_size(evidence.size)}, sha256 {evidence.sha256[:12]}…)."
    )
    if not is_partial(request):
        messages.success(request, notice)
        return redirect("assessments:checklist-detail", pk=row.checklist_id)
    return _row_response(request, row, upload_notice=notice)


@require_POST
@permission_required("assessments.review_evidence")
def evidence_review_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    row = _item(pk)
    try:
        evidence_review(
            actor=request.user,
            item_status=row,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        if not is_partial(request):
            messages.error(request, error_text(exc))
            return redirect("assessments:checklist-detail", pk=row.checklist_id)
        return _row_response(request, row, review_error=error_text(exc))
    if not is_partial(request):
        return redirect(reverse("assessments:checklist-detail", args=[row.checklist_id]))
    return _row_response(request, row)


@require_GET
@reader_required
def evidence_download(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(EvidenceFile, pk=pk)
    return blob_download(
        sha256=evidence.sha256,
        name=evidence.name,
        content_type=evidence.content_type,
        kind=evidence.kind,
    )
