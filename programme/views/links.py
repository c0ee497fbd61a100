"""Linking an assessment answer to the risk or control it claims as its mitigation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from assessments.models import Assessment
from core.htmx import HtmxHttpRequest, error_text, redirect_to
from core.permissions import permission_required
from programme.links import LINK_PERMISSION, answer_link_create, answer_link_delete
from programme.models import AnswerLink, Control, Risk


def _back(request: HtmxHttpRequest, assessment_id: int) -> HttpResponse:
    url = reverse("assessments:assessment-detail", args=[assessment_id])
    return redirect_to(request, url + "#answer-links")


def _pk(value: str) -> int | None:
    return int(value) if (value or "").strip().isdigit() else None


@require_POST
@permission_required(LINK_PERMISSION)
def answer_link_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(Assessment.objects.select_related("template"), pk=pk)
    risk_id, control_id = _pk(request.POST.get("risk")), _pk(request.POST.get("control"))
    risk = Risk.objects.filter(pk=risk_id).first() if risk_id else None
    control = Control.objects.filter(pk=control_id).first() if control_id else None
    try:
        answer_link_create(
            actor=request.user,
            assessment=assessment,
            question_id=request.POST.get("question_id", ""),
            risk=risk,
            control=control,
            note=request.POST.get("note", ""),
        )
    except ValidationError as err:
        messages.error(request, error_text(err))
    else:
        messages.success(request, "Linked the answer to its mitigation.")
    return _back(request, assessment.pk)


@require_POST
@permission_required(LINK_PERMISSION)
def answer_link_delete_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(AnswerLink.objects.select_related("assessment", "control"), pk=pk)
    assessment_id = link.assessment_id
    answer_link_delete(actor=request.user, link=link)
    messages.success(request, "Removed the link.")
    return _back(request, assessment_id)
