import datetime as dt
import json
import time

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.audit import audit_verify
from core.audit_checkpoint import checkpoints_verify
from core.audit_display import changes_text
from core.csvio import csv_spool
from core.htmx import HtmxHttpRequest
from core.inbox import inbox_count, inbox_for
from core.models import AuditEntry, ChainHead, NotificationKind
from core.notifications import notification_preferences_update, preferences_of
from core.permissions import permission_required, reader_required
from core.selectors import audit_entry_filter, audit_entry_list

AUDIT_CSV_HEADER = [
    "seq", "time_utc", "actor", "action", "object_type", "object_id", "object",
    "changes", "changes_json", "hash", "prev_hash",
]  # fmt: skip


@require_GET
def favicon(request: HtmxHttpRequest) -> HttpResponse:
    """Resolved per request: the hashed static name exists only after collectstatic."""
    return redirect(static("favicon.svg"))


def _filter_query(request: HtmxHttpRequest) -> str:
    """The current filters as a query string, without the page number."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
@reader_required
def audit_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset = audit_entry_filter(filters=request.GET)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    actions = AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
    query = _filter_query(request)
    context = {
        "page": page,
        "filter": filterset,
        "query": query,
        "filtered": bool(query),
        "actions": list(actions),
    }
    return render(request, "core/audit_list.html", context)


def _audit_csv_rows(entries):
    for e in entries.iterator(chunk_size=2000):
        yield [
            e.seq,
            e.created_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
            e.actor_label,
            e.action,
            e.target_type,
            e.target_id,
            e.target_repr,
            changes_text(e.action, e.changes),
            json.dumps(e.changes, sort_keys=True, ensure_ascii=False),
            e.hash,
            e.prev_hash,
        ]


@require_GET
@permission_required("core.export_data")
def audit_export(request: HtmxHttpRequest) -> FileResponse:
    """The entries the page's filters select, oldest first, as CSV; cells never open as formulas."""
    entries = audit_entry_list(filters=request.GET).order_by("seq")
    spool = csv_spool(AUDIT_CSV_HEADER, _audit_csv_rows(entries))
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return FileResponse(
        spool, as_attachment=True, filename=f"audit-trail-{stamp}.csv", content_type="text/csv"
    )


@require_GET
@reader_required
def audit_verify_page(request: HtmxHttpRequest) -> HttpResponse:
    started = time.perf_counter()
    result = audit_verify()
    elapsed_ms = (time.perf_counter() - started) * 1000
    context = {
        "result": result,
        "elapsed_ms": elapsed_ms,
        "head": ChainHead.objects.filter(pk=1).first(),
        "broken": AuditEntry.objects.filter(seq=result.broken_seq).first()
        if result.broken_seq
        else None,
        "past_checks": AuditEntry.objects.filter(action="audit.verify").order_by("-seq")[:10],
        "signed": checkpoints_verify(),
    }
    return render(request, "core/audit_verify.html", context)


@require_GET
@reader_required
def inbox(request: HtmxHttpRequest) -> HttpResponse:
    """Everything waiting for the signed-in user, one section per kind of work."""
    sections = inbox_for(request.user)
    context = {
        "busy": [s for s in sections if s.count],
        "clear": [s for s in sections if not s.count],
        "total": sum(s.count for s in sections),
    }
    return render(request, "core/inbox.html", context)


@require_GET
@reader_required
def inbox_badge(request: HtmxHttpRequest) -> HttpResponse:
    """The navigation's count, fetched after the page so no page pays for it."""
    response = render(
        request, "core/partials/inbox_badge.html", {"count": inbox_count(request.user)}
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@reader_required
def notification_settings(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "POST":
        notification_preferences_update(actor=request.user, enabled=request.POST.getlist("kind"))
        messages.success(request, "Your e-mail notification settings are saved.")
        return redirect("notification-settings")
    prefs = preferences_of(request.user)
    kinds = [(value, label, prefs[value]) for value, label in NotificationKind.choices]
    return render(request, "core/notification_settings.html", {"kinds": kinds})
