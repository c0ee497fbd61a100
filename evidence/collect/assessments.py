"""Approved assessments, vendor checklists and evidence files, through the assessments selectors."""

from collections import defaultdict

from assessments.models import ChecklistItemStatus
from assessments.selectors import (
    checklist_status_list,
    evidence_file_list_before,
    evidence_file_status_pairs,
    evidence_file_superseded_ids,
    revision_list_approved_before,
    revision_sections,
    revision_verify,
)
from evidence.collect.base import EvidenceRef, PackData

VERIFY_NOTES = {
    "changed": "the stored answers no longer hash to the approval sha256",
    "unapproved": "no approval hash was recorded",
}


def collect(data: PackData) -> None:
    _assessments(data)
    _evidence_files(data)
    _checklists(data)


def _assessments(data: PackData) -> None:
    """The latest revision approved before the period ended, per assessment, with every answer."""
    scope = data.scope
    by_system = {s.system.pk: s for s in data.systems}
    revisions = revision_list_approved_before(
        system_ids=list(by_system), before=scope.end, regime_code=scope.regime
    )
    seen: set[int] = set()
    for revision in revisions.iterator(chunk_size=500):
        if revision.assessment_id in seen:
            continue
        seen.add(revision.assessment_id)
        template = revision.assessment.template
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
                "verified": {"verified": True, "changed": False}.get(status),
                "verify_note": VERIFY_NOTES.get(status, ""),
                "sections": revision_sections(revision),
            }
        )
        data.add_targets("assessments.assessment", [revision.assessment_id])
        data.add_targets("assessments.assessmentrevision", [revision.pk])
    if not seen:
        data.notes["assessments"] = "none approved before the end of the period"


def _evidence_files(data: PackData) -> None:
    """Every evidence file uploaded by the end of the period for the systems (or their vendors) in scope."""
    scope = data.scope
    by_system = {s.system.pk: s for s in data.systems}
    files = evidence_file_list_before(
        system_ids=list(by_system),
        vendor_ids={s.system.vendor_id for s in data.systems if s.system.vendor_id},
        before=scope.end,
        regime_code=scope.regime,
    )
    superseded = evidence_file_superseded_ids()
    for f in files.iterator(chunk_size=1000):
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
            as_of=scope.period_to,
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
    for file_id, status_id in evidence_file_status_pairs(
        system_ids=list(by_system), before=scope.end
    ):
        if file_id in refs:
            files_by_status[status_id].append(refs[file_id])
    count = 0
    for status in checklist_status_list(system_ids=list(by_system), regime_code=scope.regime):
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
