"""Vendor pages: procurement and compliance keep supplier records; everyone reads them."""

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
from inventory.forms import VendorForm
from inventory.models import Vendor
from inventory.selectors import vendor_filterset
from inventory.services import vendor_create, vendor_delete, vendor_update
from inventory.views.common import delete_confirmed


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def vendor_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset = vendor_filterset(filters=request.GET)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render_partial(
        request,
        page="inventory/vendor_list.html",
        partial="inventory/partials/vendor_table.html",
        context={"filter": filterset, "page": page},
    )


@require_GET
@reader_required
def vendor_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    vendor = get_object_or_404(Vendor, pk=pk)
    systems = vendor.systems.select_related("owner").order_by("name")
    history = audit_history(vendor).order_by("-seq")[:100]
    return render(
        request,
        "inventory/vendor_detail.html",
        {
            "vendor": vendor,
            "systems": systems,
            "history": history,
            "panels": panels_render("vendor_panel", request=request, vendor=vendor),
        },
    )


def _form_context(form: VendorForm, vendor: Vendor | None) -> dict:
    action = (
        reverse("inventory:vendor-edit", args=[vendor.pk])
        if vendor
        else reverse("inventory:vendor-create")
    )
    return {
        "form": form,
        "vendor": vendor,
        "action": action,
        "validate_url": reverse("inventory:vendor-validate"),
    }


@require_http_methods(["GET", "POST"])
@permission_required("inventory.add_vendor")
def vendor_create_view(request: HtmxHttpRequest) -> HttpResponse:
    form = VendorForm(request.POST or None)
    if request.method == "POST":
        vendor = save_form(form, lambda data: vendor_create(actor=request.user, data=data))
        if vendor:
            messages.success(request, f"Created vendor {vendor.name}.")
            return redirect_to(request, reverse("inventory:vendor-detail", args=[vendor.pk]))
    return render_partial(
        request,
        page="inventory/vendor_form.html",
        partial="inventory/partials/vendor_form.html",
        context=_form_context(form, None),
    )


@require_http_methods(["GET", "POST"])
@permission_required("inventory.change_vendor")
def vendor_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    vendor = get_object_or_404(Vendor, pk=pk)
    form = VendorForm(request.POST or None, instance=vendor)
    if request.method == "POST":
        target = Vendor.objects.get(pk=pk)
        saved = save_form(
            form, lambda data: vendor_update(actor=request.user, vendor=target, data=data)
        )
        if saved:
            messages.success(request, f"Saved vendor {saved.name}.")
            return redirect_to(request, reverse("inventory:vendor-detail", args=[pk]))
    return render_partial(
        request,
        page="inventory/vendor_form.html",
        partial="inventory/partials/vendor_form.html",
        context=_form_context(form, vendor),
    )


@require_POST
@any_permission_required("inventory.add_vendor", "inventory.change_vendor")
def vendor_validate(request: HtmxHttpRequest) -> HttpResponse:
    instance = Vendor.objects.filter(pk=request.POST.get("_pk") or None).first()
    return field_errors(request, VendorForm(request.POST, instance=instance))


@require_http_methods(["GET", "POST"])
@permission_required("inventory.delete_vendor")
def vendor_delete_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    vendor = get_object_or_404(Vendor, pk=pk)
    return delete_confirmed(
        request,
        obj=vendor,
        kind="vendor",
        delete=lambda: vendor_delete(actor=request.user, vendor=vendor),
        urls=(reverse("inventory:vendor-detail", args=[pk]), reverse("inventory:vendor-list")),
        done=f"Deleted vendor {vendor.name}.",
        warning="Vendors still named by systems cannot be deleted.",
    )
