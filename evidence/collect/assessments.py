"""Approved assessments, vendor checklists and evidence files (assessments models), read-only."""

from collections import defaultdict

import nh3
from django.db.models import Q
from django.utils.safestring import mark_safe

from assessments.answers import RICH_ATTRIBUTES, RICH_TAGS, display_value, template_sections
from assessments.models import AssessmentRevision, ChecklistItemStatus, EvidenceFile
from assessments.selectors import revision_verify
from evidence.collect.base import EvidenceRef, PackData


def collect(data: PackData) -> None:
    _assessments(data)
    _evidence_files(data)
    _checklists(data)


def _assessments(data: PackData) -> None:
    """The latest revision approved before the period ended, per assessment, with every answer."""
    scope = data.scope
    by_system = {s.system.pk: s for s in data.systems}
    qs = (
        AssessmentRevision.objects.filter(
            assessment__system_id__in=list(by_system),
            approved_at__isnull=False,
            approved_at__lt=scope.end,
        )
        .select_related(
            "assessment__template__content_version__regime", "approved_by", "assessment__system"
        )
        .order_by("assessment_id", "-number")
    )
    if scope.regime:
        qs = qs.filter(assessment__template__content_version__regime__code=scope.regime)
    seen: set[int] = set()
    for revision in qs.iterator(chunk_size=500):
        if revision.assessment_id in seen:
            continue
        seen.add(revision.assessment_id)
        template = revision.assessment.template
        sections = []
        for section in template_sections(template):
            questions = []
            for q in section["questions"]:
                value = (revision.answers or {}).get(q.id)
                files = (revision.attachments or {}).get(q.id) or []
                row = {"text": q.text, "citation": q.citation, "answer": "", "answer_html": ""}
                if q.type == "richtext" and value:
                    cleaned = nh3.clean(str(value), tags=RICH_TAGS, attributes=RICH_ATTRIBUTES)
                    row["answer_html"] = mark_safe(cleaned)  # sanitised by nh3 just above
                else:
                    row["answer"] = display_value(q, value, files)
                questions.append(row)
            sections.append({"title": section["title"], "questions": questions})
        status = revision_verify(revision)
        by_system[revision.assessment.system_id].assessments.append(
            {
                "title": template.title,
                "regime": template.content_version.regime.code.upper(),
                "template": template.key,
                "template_version": revision.template_version,
                "revision": revision.number,
                "approved_at": revision.approved_at,
                "approved_by": revision.approved_by.get_username() if revision.approved_by else "",
                "approval_hash": revision.approval_hash,
                "verified": True
                if status == "verified"
                else (False if status == "changed" else None),
                "verify_note": {
                    "changed": "the stored answers no longer hash to the approval sha256",
                    "unapproved": "no approval hash was recorded",
                }.get(status, ""),
                "sections": sections,
            }
        )
        data.add_targets("assessments.assessment", [revision.assessment_id])
        data.add_targets("assessments.assessmentrevision", [revision.pk])
    if not seen:
        data.notes["assessments"] = "none approved before the end of the period"


def _evidence_files(data: PackData) -> None:
    """Every evidence file uploaded by the end of the period for the systems (or their vendors) in scope."""
    scope = data.scope
    system_ids = [s.system.pk for s in data.systems]
    vendor_ids = {s.system.vendor_id for s in data.systems if s.system.vendor_id}
    qs = (
        EvidenceFile.objects.filter(uploaded_at__lt=scope.end)
        .filter(Q(system_id__in=system_ids) | Q(system__isnull=True, vendor_id__in=vendor_ids))
        .select_related(
            "vendor",
            "system",
            "checklist_item__content_version__regime",
            "uploaded_by",
            "item_status",
        )  # fmt: skip
        .order_by("vendor__name", "checklist_item__title", "name", "version", "pk")
    )
    if scope.regime:
        qs = qs.filter(
            Q(checklist_item__isnull=True)
            | Q(checklist_item__content_version__regime__code=scope.regime)
        )
    superseded = set(
        EvidenceFile.objects.filter(supersedes__isnull=False).values_list(
            "supersedes_id", flat=True
        )
    )
    by_system = {s.system.pk: s for s in data.systems}
    for f in qs.iterator(chunk_size=1000):
        ref = EvidenceRef(
            pk=f.pk,
            name=f.name,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            uploaded_by=f.uploaded_by.get_username(),
            uploaded_at=f.uploaded_at,
            effective_date=f.effective_date,
            expiry_date=f.expiry_date,
            vendor=f.vendor.name,
            system=f.system.name if f.system else "",
            item=(f.checklist_item.title or f.checklist_item.key)
            if f.checklist_item
            else "General",
            version=str(f.version),
            superseded=f.pk in superseded,
            review_status=f.item_status.get_status_display() if f.item_status else "",
        )
        data.evidence.append(ref)
        if f.system_id in by_system:
            by_system[f.system_id].evidence.append(ref)
    data.add_targets("assessments.evidencefile", (e.pk for e in data.evidence))
    if not data.evidence:
        data.notes["evidence"] = (
            "No evidence files were uploaded for the systems in scope by the end of the period."
        )


def _checklists(data: PackData) -> None:
    scope = data.scope
    by_system = {s.system.pk: s for s in data.systems}
    refs = {e.pk: e for e in data.evidence}
    files_by_status = defaultdict(list)
    for f in EvidenceFile.objects.filter(
        item_status__checklist__system_id__in=list(by_system), uploaded_at__lt=scope.end
    ).values("pk", "item_status_id"):
        if f["pk"] in refs:
            files_by_status[f["item_status_id"]].append(refs[f["pk"]])
    qs = ChecklistItemStatus.objects.filter(
        checklist__system_id__in=list(by_system)
    ).select_related("checklist", "item__content_version__regime", "current_file")
    if scope.regime:
        qs = qs.filter(item__content_version__regime__code=scope.regime)
    count = 0
    for status in qs.order_by("checklist_id", "item__position", "pk"):
        count += 1
        by_system[status.checklist.system_id].checklist.append(
            {
                "title": status.item.title or status.item.key,
                "regime": status.item.content_version.regime.code.upper(),
                "citation": status.item.citation,
                "status": status.get_status_display(),
                "status_ok": status.status == ChecklistItemStatus.Status.ACCEPTED,
                "reason": status.reason,
                "evidence": files_by_status.get(status.pk, []),
            }
        )
        data.add_targets("assessments.checklistitemstatus", [status.pk])
    if not count:
        data.notes["checklist"] = "no checklist has been generated for these systems"
