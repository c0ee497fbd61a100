"""Admin pages: log sources and the identity mapping; plus the blocklist and its exports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.htmx import HtmxHttpRequest, error_text
from core.permissions import permission_required, reader_required
from discovery.blocklist import EXPORTS
from discovery.conf import watch_roots
from discovery.engine.parsers import format_choices
from discovery.models import BlocklistEntry, IdentityMapping, LogSource
from discovery.selectors import blocklist_domains, blocklist_entry_list
from discovery.services.sources import (
    identity_mapping_import,
    log_source_create,
    log_source_update,
)
from discovery.services.triage import blocklist_entry_remove

ADMIN_PERM = "discovery.change_logsource"


def _source_page(
    request: HtmxHttpRequest, *, form_error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "discovery/source_list.html",
        {
            "sources": LogSource.objects.all(),
            "kinds": LogSource.Kind.choices,
            "formats": format_choices(),
            "form_error": form_error,
            "f": request.POST if request.method == "POST" else {},
            "watch_roots": [str(r) for r in watch_roots()],
            "mapping_count": IdentityMapping.objects.count(),
            "mappings": IdentityMapping.objects.order_by("-uploaded_at", "kind", "identifier")[:50],
        },
        status=status,
    )


@require_GET
@permission_required(ADMIN_PERM)
def source_list(request: HtmxHttpRequest) -> HttpResponse:
    return _source_page(request)


@require_POST
@permission_required(ADMIN_PERM)
def source_create(request: HtmxHttpRequest) -> HttpResponse:
    data = {
        "name": request.POST.get("name", "").strip(),
        "kind": request.POST.get("kind", ""),
        "format": request.POST.get("format", ""),
        "watch_path": request.POST.get("watch_path", "").strip(),
        "zscaler_feed": request.POST.get("zscaler_feed", "").strip(),
        "squid_logformat": request.POST.get("squid_logformat", "").strip(),
        "use_identity_mapping": bool(request.POST.get("use_identity_mapping")),
        "pseudonymise": bool(request.POST.get("pseudonymise")),
        "active": True,
    }
    days = request.POST.get("learning_days", "").strip()
    if days:
        if not days.isdigit() or int(days) > 365:
            return _source_page(
                request, form_error="Learning period: a whole number of days from 0 to 365."
            )
        data["learning_days"] = int(days)
    try:
        source = log_source_create(actor=request.user, data=data)
    except ValidationError as exc:
        return _source_page(request, form_error=error_text(exc))
    messages.success(request, f"Log source “{source.name}” added.")
    return redirect("discovery:source-list")


@require_POST
@permission_required(ADMIN_PERM)
def source_toggle(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(LogSource, pk=pk)
    log_source_update(actor=request.user, source=source, data={"active": not source.active})
    messages.success(request, f"“{source.name}” is now {'active' if source.active else 'paused'}.")
    return redirect("discovery:source-list")


@require_POST
@permission_required(ADMIN_PERM)
def identity_upload(request: HtmxHttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        return _source_page(request, form_error="Choose an identity mapping CSV to upload.")
    try:
        result = identity_mapping_import(
            actor=request.user,
            fileobj=upload,
            server_tz=request.POST.get("server_tz", "").strip() or "UTC",
        )
    except ValidationError as exc:
        return _source_page(request, form_error=error_text(exc))
    messages.success(
        request,
        f"Identity mapping: {result.created} added, {result.unchanged} already known, "
        f"{result.skipped} skipped.",
    )
    for error in result.errors:
        messages.error(request, error)
    return redirect("discovery:source-list")


@require_GET
@reader_required
def blocklist(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request,
        "discovery/blocklist.html",
        {
            "entries": blocklist_entry_list(filters=request.GET),
            "can_triage": request.user.has_perm("discovery.triage_finding"),
        },
    )


@require_GET
@reader_required
def blocklist_export(request: HtmxHttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORTS:
        raise Http404("Unknown export format.")
    render_export, filename = EXPORTS[fmt]
    response = HttpResponse(
        render_export(blocklist_domains()), content_type="text/plain; charset=utf-8"
    )
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@permission_required("discovery.triage_finding")
def blocklist_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(BlocklistEntry, pk=pk)
    blocklist_entry_remove(entry=entry, actor=request.user)
    messages.success(request, f"{entry.domain} removed from the blocklist.")
    return redirect("discovery:blocklist")
