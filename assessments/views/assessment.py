"""Assessment pages: list, the sectioned form with per-field autosave, workflow and revisions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from assessments.answers import display_value, question_map, value_from_form
from assessments.models import Assessment, AssessmentRevision, QuestionComment
from assessments.selectors import (
    QuestionRow,
    assessment_form,
    assessment_list,
    question_row,
    required_missing,
    revision_diff,
    revision_get,
    revision_verify,
    section_progress,
)
from assessments.services import (
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
from assessments.services.assessment import missing_required
from assessments.views.common import blob_download
from core.extensions import panels_render
from core.htmx import HtmxHttpRequest, error_text, redirect_to
from core.ids import parse_id
from core.permissions import permission_required, reader_required
from inventory.models import AISystem
from regulations.models import AssessmentTemplate, Deadline
from regulations.selectors import templates_for_system

EDIT = "assessments.change_assessment"
APPROVE = "assessments.approve_assessment"
MISSING_SHOWN = 100  # required-but-missing rows drawn on the list page


def _get(pk: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.select_related(
            "system", "template__content_version__regime", "submitted_by", "created_by"
        ),
        pk=pk,
    )


@require_GET
@reader_required
def assessment_list_view(request: HtmxHttpRequest) -> HttpResponse:
    qs = assessment_list(filters=request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    missing = required_missing(system_id=parse_id(request.GET.get("system")))
    return render(
        request,
        "assessments/assessment_list.html",
        {
            "page": page,
            "states": Assessment.State.choices,
            "state": request.GET.get("state", ""),
            "missing": missing[:MISSING_SHOWN],
            "missing_total": len(missing),
            "can_start": request.user.has_perm("assessments.add_assessment"),
        },
    )


@require_POST
@permission_required("assessments.add_assessment")
def assessment_start_view(request: HtmxHttpRequest) -> HttpResponse:
    system = get_object_or_404(AISystem, pk=request.POST.get("system") or 0)
    template = get_object_or_404(AssessmentTemplate, pk=request.POST.get("template") or 0)
    offered = {t.pk for t in templates_for_system(system)}
    started = Assessment.objects.filter(system=system, template=template).exists()
    if template.pk not in offered and not started:
        messages.error(
            request, f"“{template.title}” is not called for by {system}'s classification."
        )
        return redirect_to(request, reverse("inventory:system-detail", args=[system.pk]))
    assessment = assessment_start(actor=request.user, system=system, template=template)
    return redirect_to(request, reverse("assessments:assessment-detail", args=[assessment.pk]))


def _can_edit(request: HtmxHttpRequest, assessment: Assessment) -> bool:
    """Approved answers are frozen on the page: the next revision is started on purpose first."""
    return request.user.has_perm(EDIT) and assessment.state in Assessment.EDITABLE


def _with_slugs(comments) -> list[QuestionComment]:
    """Each comment links to its question's comment box (ids use Question.slug's rule)."""
    out = list(comments)
    for c in out:
        c.slug = "".join(ch if ch.isalnum() else "-" for ch in c.question_id)
    return out


def detail_context(request: HtmxHttpRequest, assessment: Assessment, **extra) -> dict:
    revision = revision_get(assessment=assessment, number=assessment.current_revision)
    sections = assessment_form(assessment=assessment, revision=revision)
    approved = (
        AssessmentRevision.objects.filter(assessment=assessment, approved_at__isnull=False)
        .select_related("approved_by", "submitted_by")
        .order_by("-number")
        .first()
    )
    reassessment = (
        Deadline.objects.filter(
            kind="reassessment", source_type="assessments.assessment", source_id=str(assessment.pk)
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    four_eyes_block = ""
    if assessment.state == Assessment.State.IN_REVIEW:
        four_eyes_block = four_eyes_refusal(
            actor=request.user, assessment=assessment, revision=revision
        )
    return {
        "assessment": assessment,
        "revision": revision,
        "sections": sections,
        "editable": _can_edit(request, assessment),
        "can_approve": request.user.has_perm(APPROVE),
        "four_eyes_block": four_eyes_block,
        "approved": approved,
        "approved_status": revision_verify(approved) if approved else "",
        "reassessment": reassessment,
        "can_comment": request.user.has_perm("assessments.add_questioncomment"),
        "unresolved": _with_slugs(unresolved_comments(assessment).select_related("author"))
        if assessment.state == Assessment.State.IN_REVIEW
        else [],
        "attestation": approval_attestation(revision.number),
        "needs_password": request.user.has_usable_password(),
        "can_revise": request.user.has_perm(EDIT) and assessment.state == Assessment.State.APPROVED,
        "started": request.GET.get("started") == str(assessment.current_revision)
        and assessment.state == Assessment.State.DRAFT,
        "panels": panels_render("assessment_panel", request=request, assessment=assessment),
        **extra,
    }


@require_GET
@reader_required
def assessment_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assessment = _get(pk)
    return render(
        request, "assessments/assessment_detail.html", detail_context(request, assessment)
    )


def _status(
    request: HtmxHttpRequest,
    assessment: Assessment,
    row: QuestionRow,
    *,
    state: str,
    error: str = "",
    conflict: dict | None = None,
    section: dict | None = None,
    revision_started: bool = False,
) -> HttpResponse:
    context = {"assessment": assessment, "row": row, "state": state, "error": error,
               "conflict": conflict, "editable": True, "oob_section": section,
               "revision_started": revision_started}  # fmt: skip
    return render(request, "assessments/partials/save_status.html", context)


def _section_for(assessment: Assessment, revision: AssessmentRevision, question_id: str) -> dict:
    for section in assessment_form(assessment=assessment, revision=revision):
        if any(r.question.id == question_id for r in section["rows"]):
            return {**section, "progress": section_progress(section["rows"])}
    raise Http404


@require_POST
@permission_required(EDIT)
def answer_save_view(request: HtmxHttpRequest, pk: int, qid: str) -> HttpResponse:
    """Autosave one field; answers 200 with a status fragment (saved / error / conflict)."""
    assessment = _get(pk)
    question = question_map(assessment.template).get(qid)
    if question is None:
        raise Http404("No such question.")
    try:
        base_version = int(request.POST.get("base_version", "0"))
    except ValueError:
        base_version = -1
    raw = value_from_form(question, request.POST)
    try:
        revision, _ = answer_save(
            actor=request.user,
            assessment=assessment,
            question_id=qid,
            raw=raw,
            base_version=base_version,
        )
    except AnswerConflict as conflict:
        revision = assessment.revision()
        row = question_row(assessment=assessment, revision=revision, question=question)
        mine = display_value(question, conflict.mine)
        theirs = display_value(question, conflict.theirs if question.type != "file" else None)
        row.version = base_version  # keep the stale base until the user chooses
        try:
            at = dt.datetime.fromisoformat(conflict.theirs_at).strftime("%Y-%m-%d %H:%M:%S UTC")
        except ValueError:
            at = ""
        return _status(
            request,
            assessment,
            row,
            state="conflict",
            conflict={
                "mine": mine,
                "theirs": theirs,
                "by": conflict.theirs_by,
                "at": at,
                "version": conflict.theirs_version,
            },
        )
    except ValidationError as exc:
        revision = assessment.revision()
        row = question_row(assessment=assessment, revision=revision, question=question)
        row.version = base_version
        return _status(request, assessment, row, state="error", error=error_text(exc))
    assessment.refresh_from_db()
    row = question_row(assessment=assessment, revision=revision, question=question)
    section = _section_for(assessment, revision, qid)
    posted = parse_id(request.POST.get("revision"))
    started = posted is not None and posted != revision.number
    return _status(
        request, assessment, row, state="saved", section=section, revision_started=started
    )


@require_GET
@reader_required
def answer_field(request: HtmxHttpRequest, pk: int, qid: str) -> HttpResponse:
    """The question as stored now: 'use theirs' after a conflict swaps this in."""
    assessment = _get(pk)
    question = question_map(assessment.template).get(qid)
    if question is None:
        raise Http404("No such question.")
    revision = assessment.revision()
    row = question_row(assessment=assessment, revision=revision, question=question)
    context = {
        "assessment": assessment,
        "row": row,
        "editable": _can_edit(request, assessment),
        "can_comment": request.user.has_perm("assessments.add_questioncomment"),
        "revision": revision,
        "state": "loaded",
    }
    return render(request, "assessments/partials/question.html", context)


def _file_question_response(
    request: HtmxHttpRequest,
    assessment: Assessment,
    qid: str,
    *,
    state: str,
    error: str = "",
    conflict: dict | None = None,
) -> HttpResponse:
    question = question_map(assessment.template)[qid]
    revision = assessment.revision()
    row = question_row(assessment=assessment, revision=revision, question=question)
    context = {
        "assessment": assessment,
        "row": row,
        "editable": True,
        "state": state,
        "error": error,
        "conflict": conflict,
        "revision": revision,
        "can_comment": request.user.has_perm("assessments.add_questioncomment"),
    }
    return render(request, "assessments/partials/question.html", context)


@require_POST
@permission_required(EDIT)
def attachment_add_view(request: HtmxHttpRequest, pk: int, qid: str) -> HttpResponse:
    assessment = _get(pk)
    if qid not in question_map(assessment.template):
        raise Http404("No such question.")
    upload = request.FILES.get("file")
    if upload is None:
        return _file_question_response(
            request, assessment, qid, state="error", error="Choose a file to attach."
        )
    try:
        attachment_add(
            actor=request.user,
            assessment=assessment,
            question_id=qid,
            upload=upload,
            base_version=int(request.POST.get("base_version", "0") or 0),
        )
    except AnswerConflict as conflict:
        return _file_question_response(
            request,
            assessment,
            qid,
            state="error",
            error=f"{conflict.theirs_by} changed these attachments meanwhile; the list below is "
            "current. Attach your file again if it is still needed.",
        )
    except ValidationError as exc:
        return _file_question_response(
            request, assessment, qid, state="error", error=error_text(exc)
        )
    assessment.refresh_from_db()
    return _file_question_response(request, assessment, qid, state="saved")


@require_POST
@permission_required(EDIT)
def attachment_remove_view(request: HtmxHttpRequest, pk: int, qid: str) -> HttpResponse:
    assessment = _get(pk)
    if qid not in question_map(assessment.template):
        raise Http404("No such question.")
    try:
        attachment_remove(
            actor=request.user,
            assessment=assessment,
            question_id=qid,
            sha256=request.POST.get("sha256", ""),
            base_version=int(request.POST.get("base_version", "0") or 0),
        )
    except AnswerConflict:
        return _file_question_response(
            request,
            assessment,
            qid,
            state="error",
            error="The attachments changed meanwhile; this is the current list.",
        )
    except ValidationError as exc:
        return _file_question_response(
            request, assessment, qid, state="error", error=error_text(exc)
        )
    assessment.refresh_from_db()
    return _file_question_response(request, assessment, qid, state="saved")


@require_GET
@reader_required
def attachment_download(request: HtmxHttpRequest, pk: int, sha256: str) -> HttpResponse:
    assessment = _get(pk)
    for revision in assessment.revisions.all():
        for items in revision.attachments.values():
            for entry in items:
                if entry["sha256"] == sha256:
                    return blob_download(
                        sha256=sha256,
                        name=entry["name"],
                        content_type=entry["content_type"],
                        kind=entry.get("kind", ""),
                    )
    raise Http404("No such attachment.")


@require_POST
@permission_required("assessments.add_questioncomment")
def comment_add_view(request: HtmxHttpRequest, pk: int, qid: str) -> HttpResponse:
    assessment = _get(pk)
    question = question_map(assessment.template).get(qid)
    if question is None:
        raise Http404("No such question.")
    error = ""
    try:
        comment_add(
            actor=request.user,
            assessment=assessment,
            question_id=qid,
            body=request.POST.get("body", ""),
        )
    except ValidationError as exc:
        error = error_text(exc)
    row = question_row(assessment=assessment, revision=assessment.revision(), question=question)
    context = {"assessment": assessment, "row": row, "comment_error": error, "can_comment": True}
    return render(request, "assessments/partials/comments.html", context)


def _after_transition(request: HtmxHttpRequest, assessment: Assessment) -> HttpResponse:
    return redirect_to(request, reverse("assessments:assessment-detail", args=[assessment.pk]))


@require_POST
@permission_required(EDIT)
def assessment_submit_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assessment = _get(pk)
    try:
        assessment_submit(actor=request.user, assessment=assessment)
    except ValidationError as exc:
        if getattr(exc, "code", "") == "missing":
            missing = missing_required(assessment, assessment.revision())
            context = detail_context(request, assessment, missing=missing)
            return render(request, "assessments/assessment_detail.html", context)
        messages.error(request, error_text(exc))
        return _after_transition(request, assessment)
    messages.success(request, "Submitted for review. Another compliance officer must approve it.")
    return _after_transition(request, assessment)


def _reauthentication_error(request: HtmxHttpRequest) -> str:
    """Signing off is re-authenticated: the password again, or (for single sign-on accounts,
    which have none here) a sign-in within the last few minutes."""
    user = request.user
    if user.has_usable_password():
        password = request.POST.get("password", "")
        if not password:
            return "Enter your password to confirm it is you approving."
        if authenticate(request, username=user.get_username(), password=password) is None:
            return "That password is not right; the assessment was not approved."
        return ""
    minutes = getattr(settings, "SIGHTLINE_APPROVAL_REAUTH_MINUTES", 10)
    if user.last_login and user.last_login >= timezone.now() - dt.timedelta(minutes=minutes):
        return ""
    return f"Sign out and in again to approve (a sign-in within the last {minutes} minutes)."


@require_POST
@permission_required(APPROVE)
def assessment_approve_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assessment = _get(pk)
    if request.POST.get("attest") != "yes":
        messages.error(request, "Tick the statement that you have reviewed the assessment.")
        return _after_transition(request, assessment)
    if error := _reauthentication_error(request):
        messages.error(request, error)
        return _after_transition(request, assessment)
    try:
        revision = assessment_approve(
            actor=request.user,
            assessment=assessment,
            attestation=approval_attestation(assessment.current_revision),
        )
    except (ValidationError, PermissionDenied) as exc:
        text = error_text(exc) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
        return _after_transition(request, assessment)
    messages.success(
        request, f"Approved revision {revision.number}; sha256 {revision.approval_hash}."
    )
    return _after_transition(request, assessment)


@require_POST
@permission_required(EDIT)
def assessment_revision_start_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assessment = _get(pk)
    try:
        revision = assessment_revision_start(actor=request.user, assessment=assessment)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return _after_transition(request, assessment)
    url = reverse("assessments:assessment-detail", args=[assessment.pk])
    return redirect_to(request, f"{url}?started={revision.number}")


@require_POST
@permission_required("assessments.add_questioncomment")
def comment_resolve_view(request: HtmxHttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    assessment = _get(pk)
    comment = get_object_or_404(QuestionComment, pk=comment_pk, assessment=assessment)
    error = ""
    try:
        comment_resolve(actor=request.user, comment=comment)
    except ValidationError as exc:
        error = error_text(exc)
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or "Comment resolved.")
        return _after_transition(request, assessment)
    question = question_map(assessment.template).get(comment.question_id)
    if question is None:
        raise Http404("No such question.")
    row = question_row(assessment=assessment, revision=assessment.revision(), question=question)
    context = {"assessment": assessment, "row": row, "comment_error": error, "can_comment": True}
    return render(request, "assessments/partials/comments.html", context)


@require_POST
@permission_required(APPROVE)
def assessment_return_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assessment = _get(pk)
    try:
        assessment_return(
            actor=request.user, assessment=assessment, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return _after_transition(request, assessment)
    messages.success(request, "Returned to the author with your reason.")
    return _after_transition(request, assessment)


@require_GET
@reader_required
def revision_list(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Every revision with its sign-off and verification, plus a side-by-side diff of two of them."""
    assessment = _get(pk)
    revisions = list(
        assessment.revisions.select_related("approved_by", "submitted_by", "created_by")
    )
    for revision in revisions:
        revision.verify_status = revision_verify(revision)
    numbers = [r.number for r in revisions]

    def pick(name: str, default: int) -> int:
        value = parse_id(request.GET.get(name))
        return value if value in numbers else default

    new = pick("new", numbers[-1])
    old = pick("old", numbers[-2] if len(numbers) > 1 else numbers[-1])
    by_number = {r.number: r for r in revisions}
    rows = revision_diff(assessment=assessment, old=by_number[old], new=by_number[new])
    show_all = request.GET.get("show") == "all"  # changes only unless asked
    context = {
        "assessment": assessment,
        "revisions": revisions,
        "old": old,
        "new": new,
        "rows": rows if show_all else [r for r in rows if r["changed"]],
        "total": len(rows),
        "show_all": show_all,
        "changed": sum(1 for r in rows if r["changed"]),
    }
    return render(request, "assessments/revision_list.html", context)


@require_GET
@reader_required
def revision_detail(request: HtmxHttpRequest, pk: int, number: int) -> HttpResponse:
    """A read-only view of one revision, with its hash re-verified now."""
    assessment = _get(pk)
    revision = get_object_or_404(
        AssessmentRevision.objects.select_related("approved_by", "submitted_by"),
        assessment=assessment,
        number=number,
    )
    sections = assessment_form(assessment=assessment, revision=revision)
    context = {
        "assessment": assessment,
        "revision": revision,
        "sections": sections,
        "approved": revision if revision.approved_at else None,
        "approved_status": revision_verify(revision),
    }
    return render(request, "assessments/revision_detail.html", context)
