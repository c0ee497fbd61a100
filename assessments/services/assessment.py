"""Assessment writes: start with prefill, autosave with per-field optimistic locks, review and sign-off."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.answers import (
    Question,
    canonical_hash,
    clean_value,
    is_answered,
    prefill_value,
    question_map,
    template_sections,
    template_version_label,
)
from assessments.models import Assessment, AssessmentRevision, QuestionComment
from assessments.notifications import (
    assessment_approved_notify,
    assessment_returned_notify,
    assessment_submitted_notify,
)
from core.audit import audit_record
from core.storage import store_upload
from inventory.models import AISystem
from regulations.signals import assessment_approved

APPROVE_PERM = "assessments.approve_assessment"
EDIT_PERM = "assessments.change_assessment"


@dataclass
class AnswerConflict(Exception):
    """The field changed since the editor loaded it: carry both values so the user can choose."""

    question_id: str
    mine: Any
    theirs: Any
    theirs_version: int
    theirs_by: str
    theirs_at: str

    def __str__(self) -> str:
        return f"Answer {self.question_id} was changed by {self.theirs_by} meanwhile."


def _meta(actor, *, prefilled: bool = False) -> dict:
    return {"by": actor.get_username(), "at": timezone.now().isoformat(), "prefilled": prefilled}


def _locked(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("template").get(pk=assessment.pk)


@transaction.atomic
def assessment_start(*, actor, system, template) -> Assessment:
    """One assessment per system and template: starting again reopens the existing one."""
    if not actor.has_perm("assessments.add_assessment"):
        raise PermissionDenied("You may not start assessments.")
    # Simultaneous starts queue on the system's row; the unique constraint is the backstop.
    list(AISystem.objects.select_for_update().filter(pk=system.pk).values_list("pk", flat=True))
    open_ones = Assessment.objects.filter(system=system, template=template, duplicate_of=None)
    if existing := open_ones.first():
        return existing
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                system=system, template=template, created_by=actor
            )
    except IntegrityError:
        return open_ones.get()
    answers, versions, meta = {}, {}, {}
    for section in template_sections(template):
        for question in section["questions"]:
            value = prefill_value(question, system)
            if value is not None:
                answers[question.id] = value
                versions[question.id] = 1
                meta[question.id] = _meta(actor, prefilled=True)
    AssessmentRevision.objects.create(
        assessment=assessment,
        number=1,
        answers=answers,
        answer_versions=versions,
        answer_meta=meta,
        template_version=template_version_label(template),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="assessment.start",
        target=assessment,
        changes={"template": template.key, "system": system.pk, "prefilled": sorted(answers)},
    )
    return assessment


def _revision_for_edit(*, actor, assessment: Assessment) -> AssessmentRevision:
    """The working revision; editing an approved assessment opens the next one and leaves the old frozen."""
    if assessment.state == Assessment.State.IN_REVIEW:
        raise ValidationError(
            "This assessment is in review; a reviewer must return it before edits."
        )
    current = AssessmentRevision.objects.select_for_update().get(
        assessment=assessment, number=assessment.current_revision
    )
    if assessment.state != Assessment.State.APPROVED:
        return current
    revision = AssessmentRevision.objects.create(
        assessment=assessment,
        number=current.number + 1,
        answers=dict(current.answers),
        answer_versions=dict(current.answer_versions),
        answer_meta=dict(current.answer_meta),
        attachments={k: list(v) for k, v in current.attachments.items()},
        template_version=current.template_version,
        created_by=actor,
    )
    assessment.current_revision = revision.number
    assessment.state = Assessment.State.DRAFT
    assessment.submitted_by, assessment.submitted_at, assessment.return_reason = None, None, ""
    audit_record(
        actor=actor,
        action="assessment.revision_start",
        target=assessment,
        changes={"revision": [current.number, revision.number], "state": ["approved", "draft"]},
    )
    return revision


@transaction.atomic
def assessment_revision_start(*, actor, assessment: Assessment) -> AssessmentRevision:
    """Changing approved answers is a decision of its own: it opens the next revision as a
    draft (the approved one stays frozen and verifiable) and needs approval again."""
    if not actor.has_perm(EDIT_PERM):
        raise PermissionDenied("You may not edit assessments.")
    assessment = _locked(assessment)
    if assessment.state != Assessment.State.APPROVED:
        raise ValidationError("Only an approved assessment starts a new revision.")
    revision = _revision_for_edit(actor=actor, assessment=assessment)
    assessment.version += 1
    assessment.save()
    return revision


def _question(assessment: Assessment, question_id: str) -> Question:
    question = question_map(assessment.template).get(question_id)
    if question is None:
        raise ValidationError(f"Unknown question {question_id}.")
    return question


def _check_version(revision, question_id: str, base_version: int, mine: Any) -> int:
    current = int(revision.answer_versions.get(question_id, 0))
    if int(base_version) != current:
        meta = revision.answer_meta.get(question_id, {})
        theirs = revision.answers.get(question_id)
        if question_id in revision.attachments:
            theirs = revision.attachments[question_id]
        raise AnswerConflict(
            question_id=question_id,
            mine=mine,
            theirs=theirs,
            theirs_version=current,
            theirs_by=meta.get("by", "someone"),
            theirs_at=meta.get("at", ""),
        )
    return current


def _bump(*, actor, assessment: Assessment, revision: AssessmentRevision, question_id: str) -> int:
    version = int(revision.answer_versions.get(question_id, 0)) + 1
    revision.answer_versions[question_id] = version
    revision.answer_meta[question_id] = _meta(actor)
    revision.save()
    revision.authors.add(actor)
    assessment.version += 1
    assessment.save()
    return version


@transaction.atomic
def answer_save(
    *, actor, assessment: Assessment, question_id: str, raw: Any, base_version: int
) -> tuple[AssessmentRevision, int]:
    """Save one field if nobody changed it since `base_version`; otherwise raise AnswerConflict."""
    if not actor.has_perm(EDIT_PERM):
        raise PermissionDenied("You may not edit assessments.")
    assessment = _locked(assessment)
    question = _question(assessment, question_id)
    value = clean_value(question, raw)
    revision = _revision_for_edit(actor=actor, assessment=assessment)
    _check_version(revision, question_id, base_version, value)
    old = revision.answers.get(question_id)
    if value is None:
        revision.answers.pop(question_id, None)
    else:
        revision.answers[question_id] = value
    version = _bump(actor=actor, assessment=assessment, revision=revision, question_id=question_id)
    audit_record(
        actor=actor,
        action="assessment.answer",
        target=assessment,
        changes={"revision": revision.number, "question": question_id, "value": [old, value]},
    )
    return revision, version


@transaction.atomic
def attachment_add(
    *, actor, assessment: Assessment, question_id: str, upload, base_version: int
) -> tuple[AssessmentRevision, int]:
    """Attach a sniffed, content-addressed file to a file question (same lock rule as answers)."""
    if not actor.has_perm(EDIT_PERM):
        raise PermissionDenied("You may not edit assessments.")
    assessment = _locked(assessment)
    question = _question(assessment, question_id)
    if question.type != "file":
        raise ValidationError("This question does not take files.")
    revision = _revision_for_edit(actor=actor, assessment=assessment)
    _check_version(revision, question_id, base_version, getattr(upload, "name", "file"))
    blob, sniffed = store_upload(
        fileobj=upload, name=upload.name, max_bytes=settings.SIGHTLINE_EVIDENCE_MAX_BYTES
    )
    entry = {
        "sha256": blob.sha256,
        "name": str(upload.name)[:255],
        "size": blob.size,
        "content_type": sniffed.content_type,
        "kind": sniffed.kind,
    }
    revision.attachments.setdefault(question_id, []).append(entry)
    version = _bump(actor=actor, assessment=assessment, revision=revision, question_id=question_id)
    audit_record(
        actor=actor,
        action="assessment.attach",
        target=assessment,
        changes={"revision": revision.number, "question": question_id, "file": entry},
    )
    return revision, version


@transaction.atomic
def attachment_remove(
    *, actor, assessment: Assessment, question_id: str, sha256: str, base_version: int
) -> tuple[AssessmentRevision, int]:
    """Detach a file from the working revision; the blob stays (earlier revisions may cite it)."""
    if not actor.has_perm(EDIT_PERM):
        raise PermissionDenied("You may not edit assessments.")
    assessment = _locked(assessment)
    _question(assessment, question_id)
    revision = _revision_for_edit(actor=actor, assessment=assessment)
    _check_version(revision, question_id, base_version, None)
    items = revision.attachments.get(question_id, [])
    kept = [a for a in items if a["sha256"] != sha256]
    if len(kept) == len(items):
        raise ValidationError("That file is not attached here.")
    if kept:
        revision.attachments[question_id] = kept
    else:
        revision.attachments.pop(question_id, None)
    version = _bump(actor=actor, assessment=assessment, revision=revision, question_id=question_id)
    audit_record(
        actor=actor,
        action="assessment.detach",
        target=assessment,
        changes={"revision": revision.number, "question": question_id, "sha256": sha256},
    )
    return revision, version


def missing_required(assessment: Assessment, revision: AssessmentRevision) -> list[Question]:
    return [
        q
        for q in question_map(assessment.template).values()
        if q.required_to_submit
        and not is_answered(q, revision.answers.get(q.id), revision.attachments.get(q.id))
    ]


@transaction.atomic
def assessment_submit(*, actor, assessment: Assessment) -> Assessment:
    """Hand over for review; refuses while required questions are unanswered."""
    if not actor.has_perm(EDIT_PERM):
        raise PermissionDenied("You may not submit assessments.")
    assessment = _locked(assessment)
    if not assessment.editable:
        raise ValidationError(f"Only a draft can be submitted (this one is {assessment.state}).")
    revision = assessment.revision()
    missing = missing_required(assessment, revision)
    if missing:
        raise ValidationError(
            f"{len(missing)} required question(s) are unanswered.",
            code="missing",
            params={"missing": [q.id for q in missing]},
        )
    now = timezone.now()
    old_state = assessment.state
    assessment.state = Assessment.State.IN_REVIEW
    assessment.submitted_by, assessment.submitted_at = actor, now
    assessment.version += 1
    assessment.save()
    revision.submitted_by, revision.submitted_at = actor, now
    revision.save()
    revision.authors.add(actor)
    audit_record(
        actor=actor,
        action="assessment.submit",
        target=assessment,
        changes={"state": [old_state, assessment.state], "revision": revision.number},
    )
    assessment_submitted_notify(assessment=assessment, actor=actor)
    return assessment


def four_eyes_refusal(*, actor, assessment: Assessment, revision: AssessmentRevision) -> str:
    """Why `actor` may not sign off ('' if they may): no writer or submitter, even via a colleague."""
    if not settings.SIGHTLINE_FOUR_EYES:
        return ""
    if actor.pk in (assessment.submitted_by_id, revision.submitted_by_id):
        return (
            "Four-eyes rule: you cannot approve your own submission; "
            "another compliance officer must approve it."
        )
    if revision.authors.filter(pk=actor.pk).exists():
        return (
            f"Four-eyes rule: you wrote or submitted part of revision {revision.number}, "
            "so another compliance officer must approve it."
        )
    return ""


def unresolved_comments(assessment: Assessment):
    return QuestionComment.objects.filter(assessment=assessment, resolved_at__isnull=True)


def approval_attestation(revision_number: int) -> str:
    """The statement an approver signs; recorded word for word in the audit entry."""
    return (
        f"I have reviewed every answer and attached file of revision {revision_number} "
        "and approve it as complete and accurate to the best of my knowledge."
    )


@transaction.atomic
def assessment_approve(
    *, actor, assessment: Assessment, attestation: str = ""
) -> AssessmentRevision:
    """Sign off: freeze the revision with the content hash, then schedule the reassessment.

    A reviewer's open question is not answered by approving over it: every comment must be
    resolved first."""
    if not actor.has_perm(APPROVE_PERM):
        raise PermissionDenied("Only a compliance officer or an admin may approve.")
    assessment = _locked(assessment)
    if assessment.state != Assessment.State.IN_REVIEW:
        raise ValidationError("Only an assessment in review can be approved.")
    open_comments = unresolved_comments(assessment).count()
    if open_comments:
        raise ValidationError(
            f"{open_comments} reviewer comment(s) are unresolved; resolve them before approving.",
            code="unresolved_comments",
        )
    revision = AssessmentRevision.objects.select_for_update().get(
        assessment=assessment, number=assessment.current_revision
    )
    if refusal := four_eyes_refusal(actor=actor, assessment=assessment, revision=revision):
        raise PermissionDenied(refusal)
    now = timezone.now()
    revision.approval_hash = canonical_hash(
        answers=revision.answers,
        attachments=revision.attachments,
        template_version=revision.template_version,
    )
    revision.approved_by, revision.approved_at = actor, now
    revision.save()
    assessment.state = Assessment.State.APPROVED
    assessment.return_reason = ""
    assessment.version += 1
    assessment.save()
    audit_record(
        actor=actor,
        action="assessment.approve",
        target=assessment,
        changes={
            "state": ["in_review", "approved"],
            "revision": revision.number,
            "approval_hash": revision.approval_hash,
            "template_version": revision.template_version,
            "submitted_by": assessment.submitted_by.get_username()
            if assessment.submitted_by
            else "",
            **({"attestation": attestation} if attestation else {}),
        },
    )
    # Regulations owns scheduling: the obligation's structured cadence sets the interval.
    assessment_approved.send(
        sender=Assessment,
        assessment=assessment,
        system=assessment.system,
        template=assessment.template,
        actor=actor,
        approved_on=timezone.localdate(now),
    )
    assessment_approved_notify(assessment=assessment, actor=actor)
    return revision


@transaction.atomic
def assessment_return(*, actor, assessment: Assessment, reason: str) -> Assessment:
    """Send back to the author with a reason they will see on the form."""
    if not actor.has_perm(APPROVE_PERM):
        raise PermissionDenied("Only a compliance officer or an admin may return assessments.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for returning the assessment.")
    assessment = _locked(assessment)
    if assessment.state != Assessment.State.IN_REVIEW:
        raise ValidationError("Only an assessment in review can be returned.")
    assessment.state = Assessment.State.RETURNED
    assessment.return_reason = reason[:5000]
    assessment.version += 1
    assessment.save()
    audit_record(
        actor=actor,
        action="assessment.return",
        target=assessment,
        changes={"state": ["in_review", "returned"], "reason": assessment.return_reason},
    )
    assessment_returned_notify(assessment=assessment, actor=actor)
    return assessment


@transaction.atomic
def comment_add(*, actor, assessment: Assessment, question_id: str, body: str) -> QuestionComment:
    """Reviewers leave notes per question; they never change answers."""
    if not actor.has_perm("assessments.add_questioncomment"):
        raise PermissionDenied("You may not comment on assessments.")
    body = (body or "").strip()
    if not body:
        raise ValidationError("The comment is empty.")
    _question(assessment, question_id)
    comment = QuestionComment.objects.create(
        assessment=assessment,
        revision_number=assessment.current_revision,
        question_id=question_id,
        author=actor,
        body=body[:5000],
    )
    audit_record(
        actor=actor,
        action="assessment.comment",
        target=assessment,
        changes={"question": question_id, "comment": comment.pk},
    )
    return comment


@transaction.atomic
def comment_resolve(*, actor, comment: QuestionComment) -> QuestionComment:
    """A comment is closed by saying so, not by approving over it."""
    if not actor.has_perm("assessments.add_questioncomment"):
        raise PermissionDenied("You may not resolve comments.")
    comment = QuestionComment.objects.select_for_update().get(pk=comment.pk)
    if comment.resolved_at is not None:
        raise ValidationError("This comment is already resolved.")
    comment.resolved_by, comment.resolved_at = actor, timezone.now()
    comment.save(update_fields=["resolved_by", "resolved_at"])
    audit_record(
        actor=actor,
        action="assessment.comment_resolve",
        target=comment.assessment,
        changes={"comment": comment.pk, "question": comment.question_id, "resolved": [False, True]},
    )
    return comment
