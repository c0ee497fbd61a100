"""Writes for assessments and vendor evidence: atomic, validated, audited."""

from assessments.services.assessment import (
    AnswerConflict,
    answer_save,
    approval_attestation,
    assessment_approve,
    assessment_return,
    assessment_revision_start,
    assessment_start,
    assessment_submit,
    attachment_add,
    attachment_remove,
    comment_add,
    comment_resolve,
    four_eyes_refusal,
    unresolved_comments,
)
from assessments.services.vendor import (
    checklist_create,
    checklist_sync,
    checklists_ensure,
    evidence_expiry_check,
    evidence_review,
    evidence_upload,
)

__all__ = [
    "AnswerConflict",
    "answer_save",
    "approval_attestation",
    "assessment_approve",
    "assessment_return",
    "assessment_revision_start",
    "assessment_start",
    "assessment_submit",
    "attachment_add",
    "attachment_remove",
    "checklist_create",
    "checklist_sync",
    "checklists_ensure",
    "comment_add",
    "comment_resolve",
    "evidence_expiry_check",
    "evidence_review",
    "evidence_upload",
    "four_eyes_refusal",
    "unresolved_comments",
]
