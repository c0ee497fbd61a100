"""AI system pages: list with filters, detail with other apps' panels, and HTMX forms."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from core.audit import audit_history
from core.extensions import panels_render
from core.htmx import (
    HtmxHttpRequest,
    field_errors,
    redirect_to,
    render_partial,
    save_form,
)
from core.permissions import any_permission_required, permission_required, reader_required
from inventory.forms import AISystemForm
from inventory.models import AISystem
from inventory.selectors import ai_system_filterset
from inventory.services import ai_system_create, ai_system_delete, ai_system_update
from inventory.views.common import delete_confirmed

PAGE_SIZES = (25, 50, 100)


def _page_size(request: HtmxHttpRequest) -> int:
    try:
        size = int(request.GET.get("per_page", 50))
    except ValueError:
        return 50
    return size if size in PAGE_SIZES else 50


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def system_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset = ai_system_filterset(filters=request.GET)
    page = Paginator(filterset.qs, _page_size(request)).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "sort": request.GET.get("o", "")}
    return render_partial(
        request,
        page="inventory/system_list.html",
        partial="inventory/partials/system_table.html",
        context=context,
    )


@require_GET
@reader_required
def system_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(AISystem.objects.select_related("vendor", "owner"), pk=pk)
    history = audit_history(system).order_by("-seq")[:100]
    context = {
        "system": system,
        "history": history,
        "panels": panels_render("system_panel", request=request, system=system),
    }
    return render(request, "inventory/system_detail.html", context)


def _form_context(form: AISystemForm, system: AISystem | None) -> dict:
    action = (
        reverse("inventory:system-edit", args=[system.pk])
        if system
        else reverse("inventory:system-create")
    )
    return {
        "form": form,
        "system": system,
        "action": action,
        "validate_url": reverse("inventory:system-validate"),
    }


@require_http_methods(["GET", "POST"])
@permission_required("inventory.add_aisystem")
def system_create(request: HtmxHttpRequest) -> HttpResponse:
    form = AISystemForm(request.POST or None, initial={"owner": request.user.pk})
    if request.method == "POST":
        system = save_form(form, lambda data: ai_system_create(actor=request.user, data=data))
        if system:
            messages.success(request, f"Created {system.name}.")
            return redirect_to(request, reverse("inventory:system-detail", args=[system.pk]))
    return render_partial(
        request,
        page="inventory/system_form.html",
        partial="inventory/partials/system_form.html",
        context=_form_context(form, None),
    )


@require_http_methods(["GET", "POST"])
@permission_required("inventory.change_aisystem")
def system_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(AISystem, pk=pk)
    form = AISystemForm(request.POST or None, instance=system)
    if request.method == "POST":
        target = AISystem.objects.get(pk=pk)  # the form mutates its instance while validating
        saved = save_form(
            form, lambda data: ai_system_update(actor=request.user, system=target, data=data)
        )
        if saved:
            messages.success(request, f"Saved {saved.name}.")
            return redirect_to(request, reverse("inventory:system-detail", args=[pk]))
    return render_partial(
        request,
        page="inventory/system_form.html",
        partial="inventory/partials/system_form.html",
        context=_form_context(form, system),
    )


@require_POST
@any_permission_required("inventory.add_aisystem", "inventory.change_aisystem")
def system_validate(request: HtmxHttpRequest) -> HttpResponse:
    return field_errors(request, AISystemForm(request.POST))


@require_http_methods(["GET", "POST"])
@permission_required("inventory.delete_aisystem")
def system_delete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(AISystem, pk=pk)
    return delete_confirmed(
        request,
        obj=system,
        kind="AI system",
        delete=lambda: ai_system_delete(actor=request.user, system=system),
        urls=(reverse("inventory:system-detail", args=[pk]), reverse("inventory:system-list")),
        done=f"Deleted {system.name}.",
        warning="Its change history stays in the audit trail.",
    )
