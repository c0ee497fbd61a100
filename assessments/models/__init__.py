"""Assessments (answers per revision, sign-off) and vendor evidence (checklists, immutable files)."""

from assessments.models.assessment import Assessment, AssessmentRevision, QuestionComment
from assessments.models.vendor import ChecklistItemStatus, EvidenceFile, VendorChecklist

__all__ = [
    "Assessment",
    "AssessmentRevision",
    "ChecklistItemStatus",
    "EvidenceFile",
    "QuestionComment",
    "VendorChecklist",
]
