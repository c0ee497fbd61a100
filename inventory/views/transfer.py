"""Inventory export (filtered like the list) and all-or-nothing import."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.htmx import HtmxHttpRequest
from core.permissions import permission_required
from inventory.selectors import ai_system_list
from inventory.transfer import COLUMNS, MAX_IMPORT_BYTES, export_bytes, import_systems

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_GET
@permission_required("core.export_data")
def system_export(request: HtmxHttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "csv")
    if fmt not in CONTENT_TYPES:
        fmt = "csv"
    filters = request.GET.copy()
    filters.pop("format", None)
    body = export_bytes(ai_system_list(filters=filters), fmt)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="sightline-inventory-{stamp}.{fmt}"'
    return response


@require_http_methods(["GET", "POST"])
@permission_required("inventory.add_aisystem", "inventory.change_aisystem")
def system_import(request: HtmxHttpRequest) -> HttpResponse:
    context = {"columns": COLUMNS, "max_mb": MAX_IMPORT_BYTES // (1024 * 1024)}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["result_error"] = "Choose a CSV or XLSX file to import."
            return render(request, "inventory/system_import.html", context)
        if upload.size > MAX_IMPORT_BYTES:
            context["result_error"] = f"The file is larger than {context['max_mb']} MB."
            return render(request, "inventory/system_import.html", context)
        result = import_systems(actor=request.user, content=upload.read(), filename=upload.name)
        if result.ok:
            messages.success(
                request,
                f"Imported {upload.name}: {result.created} created, {result.updated} updated.",
            )
            return redirect("inventory:system-list")
        context.update(result=result, filename=upload.name)
    return render(request, "inventory/system_import.html", context)
