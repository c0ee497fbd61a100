"""Findings queue and triage: each button posts to a service and swaps the finding's row."""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from core.htmx import HtmxHttpRequest, error_text, is_partial, render_partial
from core.permissions import permission_required, reader_required
from discovery.models import Finding
from discovery.selectors import finding_list
from discovery.services.triage import (
    assignable_users,
    finding_assign,
    finding_block,
    finding_confirm_ai,
    finding_dismiss,
    finding_sanction,
    finding_siblings_decided,
)
from inventory.models import AISystem
from inventory.selectors import ai_system_by_name


def _filters(request: HtmxHttpRequest) -> dict[str, str]:
    filters = request.GET.dict()
    filters.setdefault("state", "open")
    return filters


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def finding_list_view(request: HtmxHttpRequest) -> HttpResponse:
    filters = _filters(request)
    # The page's linked systems are fetched by pk: joining them made Postgres hash the whole inventory.
    findings = finding_list(filters=filters).select_related(None).select_related("assignee")
    findings = findings.prefetch_related("system")
    page = Paginator(findings, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "f": filters,
        "kinds": Finding.Kind.choices,
        "severities": Finding.Severity.choices,
        "states": [("open", "Open (incl. assigned)"), *Finding.State.choices, ("all", "All")],
        "can_triage": request.user.has_perm("discovery.triage_finding"),
    }
    return render_partial(
        request,
        page="discovery/finding_list.html",
        partial="discovery/partials/finding_table.html",
        context=context,
    )


@require_GET
@reader_required
def finding_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding.objects.select_related("assignee", "system", "run"), pk=pk)
    return render(
        request,
        "discovery/finding_detail.html",
        {
            "finding": finding,
            "assignees": assignable_users(),
            "can_triage": request.user.has_perm("discovery.triage_finding"),
            "evidence_json": json.dumps(finding.evidence, indent=2, default=str),
        },
    )


@require_GET
@permission_required("discovery.triage_finding")
def finding_triage_forms(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The queue's rows load these forms on demand: 50 rows of them were most of its render time."""
    finding = get_object_or_404(Finding, pk=pk)
    return render(
        request,
        "discovery/partials/triage_details.html",
        {"finding": finding, "assignees": assignable_users(), "htmx": True},
    )


def _respond(
    request: HtmxHttpRequest,
    finding: Finding,
    error: str = "",
    message: str = "",
    intake_url: str = "",
) -> HttpResponse:
    """HTMX gets the re-rendered row (errors shown in it, status 200); a plain form gets a redirect."""
    finding.refresh_from_db()
    if is_partial(request):
        return render(
            request,
            "discovery/partials/finding_triaged.html",
            {
                "finding": finding,
                "siblings": [] if error else finding_siblings_decided(finding),
                "error": error,
                "notice": message,
                "intake_url": intake_url,
                "can_triage": True,
            },
        )
    if error:
        messages.error(request, error)
    elif message:
        messages.success(request, message)
    if intake_url:
        return redirect(intake_url)  # sanctioning opens the intake form
    return redirect("discovery:finding-detail", pk=finding.pk)


def _chosen_system(post) -> tuple[AISystem | None, str]:
    """The picker posts a pk as `system`; without JS only the typed `system_name` arrives.

    Neither, from the link form (`link`), is an error rather than "create a new system".
    """
    raw = post.get("system", "").strip()
    if raw:
        existing = AISystem.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        return existing, "" if existing else "Choose an existing inventory system."
    name = post.get("system_name", "").strip()
    if name:
        matches = ai_system_by_name(name=name)
        if not matches:
            return None, (
                f"No inventory system is named “{name}”. "
                "Type its full name or pick one of the matches."
            )
        if len(matches) > 1:
            return None, (
                f"More than one inventory system is named “{name}”; pick one of the matches."
            )
        return matches[0], ""
    if post.get("link"):
        return None, "Choose an existing inventory system."
    return None, ""


@require_POST
@permission_required("discovery.triage_finding")
def finding_sanction_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding, pk=pk)
    existing, error = _chosen_system(request.POST)
    if error:
        return _respond(request, finding, error=error)
    try:
        system = finding_sanction(
            finding=finding, actor=request.user, system=existing, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        return _respond(request, finding, error=error_text(exc))
    intake_url = reverse("inventory:system-intake", args=[system.pk]) if system.needs_facts else ""
    return _respond(
        request,
        finding,
        message=f"Sanctioned as inventory system “{system.name}”.",
        intake_url=intake_url,
    )


@require_http_methods(["GET", "POST"])
@permission_required("discovery.triage_finding")
def finding_block_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET asks why and to confirm (a page, or the form inside the row); POST blocks."""
    finding = get_object_or_404(Finding, pk=pk)
    if request.method == "GET":
        name = (
            "discovery/partials/block_confirm.html"
            if is_partial(request)
            else "discovery/block_confirm.html"
        )
        return render(request, name, {"finding": finding})
    reason = request.POST.get("reason", "").strip()
    if not reason:
        return _respond(request, finding, error="Give a reason for blocking this app.")
    try:
        entries = finding_block(finding=finding, actor=request.user, reason=reason)
    except ValidationError as exc:
        return _respond(request, finding, error=error_text(exc))
    domains = ", ".join(e.domain for e in entries) or "already listed"
    return _respond(request, finding, message=f"Blocked: {domains}.")


@require_POST
@permission_required("discovery.triage_finding")
def finding_confirm_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding, pk=pk)
    try:
        app = finding_confirm_ai(finding=finding, actor=request.user)
    except ValidationError as exc:
        return _respond(request, finding, error=error_text(exc))
    return _respond(request, finding, message=f"Confirmed as AI: {app.name} is now listed.")


@require_POST
@permission_required("discovery.triage_finding")
def finding_dismiss_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding, pk=pk)
    try:
        finding_dismiss(finding=finding, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        return _respond(request, finding, error=error_text(exc))
    return _respond(request, finding, message="Dismissed.")


@require_POST
@permission_required("discovery.triage_finding")
def finding_assign_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding, pk=pk)
    raw = request.POST.get("assignee", "")
    assignee = get_user_model().objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    try:
        finding_assign(finding=finding, actor=request.user, assignee=assignee)
    except ValidationError as exc:
        return _respond(request, finding, error=error_text(exc))
    return _respond(request, finding, message=f"Assigned to {assignee.get_username()}.")
