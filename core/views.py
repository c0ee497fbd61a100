import time

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.audit import audit_verify
from core.models import AuditEntry, ChainHead
from core.permissions import reader_required


@require_GET
@reader_required
def audit_list(request):
    entries = AuditEntry.objects.select_related("actor")
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"page": page, "action": action})


@require_GET
@reader_required
def audit_verify_page(request):
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
    }
    return render(request, "core/audit_verify.html", context)
