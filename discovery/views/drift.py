"""Accept or reject a drift finding's proposed change to the inventory record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from core.htmx import HtmxHttpRequest, error_text, is_partial
from core.permissions import permission_required
from discovery.models import Finding
from discovery.services.drift import drift_accept, drift_reject


def _respond(
    request: HtmxHttpRequest,
    finding: Finding,
    *,
    error: str = "",
    notice: str = "",
    changed: bool = False,
) -> HttpResponse:
    """`changed`: the system's record changed, so panels listening for system-changed (the
    classification panel) fetch themselves again."""
    finding.refresh_from_db()
    if is_partial(request):
        response = render(
            request,
            "discovery/partials/drift_proposal.html",
            {"finding": finding, "can_triage": True, "error": error, "notice": notice},
        )
        return trigger_client_event(response, "system-changed") if changed else response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect("discovery:finding-detail", pk=finding.pk)


def _drift(pk: int) -> Finding:
    return get_object_or_404(
        Finding.objects.select_related("system"), pk=pk, kind=Finding.Kind.DRIFT
    )


@require_POST
@permission_required("discovery.triage_finding", "inventory.change_aisystem")
def drift_accept_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    finding = _drift(pk)
    try:
        drift_accept(finding=finding, actor=request.user)
    except ValidationError as exc:
        return _respond(request, finding, error=error_text(exc))
    name = finding.system.name if finding.system else "the system"
    return _respond(
        request,
        finding,
        notice=f"Accepted: {name}'s record is updated and its classification re-run.",
        changed=True,
    )


@require_POST
@permission_required("discovery.triage_finding")
def drift_reject_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    finding = _drift(pk)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        return _respond(request, finding, error="Say why the record stays as it is.")
    try:
        drift_reject(finding=finding, actor=request.user, reason=reason)
    except ValidationError as exc:
        return _respond(request, finding, error=error_text(exc))
    return _respond(request, finding, notice="Rejected: the record stays as it is.")
