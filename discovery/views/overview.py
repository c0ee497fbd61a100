"""The discovery overview (organisation view) and bulk triage of an app's findings."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from core.htmx import HtmxHttpRequest, error_text
from core.permissions import permission_required, reader_required
from discovery.analytics import PERIODS, STACKS, discovery_overview
from discovery.models import Finding
from discovery.selectors_usage import oauth_overview
from discovery.services.bulk import finding_bulk_triage

MAX_BULK = 500


@require_GET
@reader_required
def overview(request: HtmxHttpRequest) -> HttpResponse:
    raw_days = request.GET.get("days", "30")
    days = int(raw_days) if raw_days.isdigit() else 30
    context = discovery_overview(
        days=days, stack=request.GET.get("stack", "app"), today=timezone.localdate()
    )
    context["oauth_apps"], context["oauth_other_apps"] = oauth_overview()
    context["periods"] = PERIODS
    context["stacks"] = STACKS
    context["stack_label"] = STACKS[context["stack"]]
    context["traffic_chart"] = {
        "labels": context["traffic"]["labels"],
        "datasets": context["traffic"]["datasets"],
    }
    return render(request, "discovery/overview.html", context)


@require_POST
@permission_required("discovery.triage_finding")
def finding_bulk_triage_view(request: HtmxHttpRequest) -> HttpResponse:
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    ids = [int(v) for v in request.POST.getlist("finding") if v.isdigit()][:MAX_BULK]
    action = request.POST.get("action", "")
    if not ids:
        messages.error(request, "Select at least one finding.")
        return redirect(back or "discovery:finding-list")
    raw = request.POST.get("assignee", "")
    assignee = (
        get_user_model().objects.filter(pk=int(raw)).first()
        if action == "assign" and raw.isdigit()
        else None
    )
    findings = Finding.objects.filter(pk__in=ids).order_by("pk")
    try:
        result = finding_bulk_triage(
            findings=findings,
            actor=request.user,
            action=action,
            reason=request.POST.get("reason", ""),
            assignee=assignee,
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(back or "discovery:finding-list")
    parts = [
        f"{action.capitalize()}: {len(result.done)} finding{'s' if len(result.done) != 1 else ''}"
    ]
    if result.already_closed:
        parts.append(f"{len(result.already_closed)} already closed by the same decision")
    if result.skipped:
        reasons = "; ".join(f"#{pk}: {why}" for pk, why in result.skipped[:5])
        parts.append(f"{len(result.skipped)} skipped ({reasons})")
    level = messages.warning if result.skipped else messages.success
    level(request, ", ".join(parts) + ".")
    return redirect(back or "discovery:finding-list")
