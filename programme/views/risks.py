"""Risk register, heat map and control mapping. Every role reads; compliance officers write."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from assessments.views.common import blob_download
from core.audit import audit_history
from core.htmx import HtmxHttpRequest, error_text, redirect_to, render_partial, save_form
from core.permissions import permission_required, reader_required
from programme.forms import ControlStatusForm, RiskControlForm, RiskForm
from programme.models import ControlEvidence, Risk, RiskControl
from programme.risk_services import (
    risk_control_map,
    risk_control_update,
    risk_create,
    risk_update,
)
from programme.selectors import control_library, heat_map, risk_filterset


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def risk_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset = risk_filterset(filters=request.GET)
    page = Paginator(filterset.qs.order_by("-pk"), 50).get_page(request.GET.get("page"))
    return render_partial(
        request,
        page="programme/risk_list.html",
        partial="programme/partials/risk_register.html",
        context={"filter": filterset, "page": page, "heat": heat_map(risks=filterset.qs)},
    )


@require_http_methods(["GET", "POST"])
@permission_required("programme.add_risk")
def risk_create_view(request: HtmxHttpRequest) -> HttpResponse:
    initial = {"system": request.GET.get("system") or None}
    form = RiskForm(request.POST or None, initial=initial)
    if request.method == "POST":
        risk = save_form(form, lambda data: risk_create(actor=request.user, data=data))
        if risk:
            messages.success(request, f"Added risk {risk.title}.")
            return redirect_to(request, reverse("programme:risk-detail", args=[risk.pk]))
    return render(
        request, "programme/risk_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@permission_required("programme.change_risk")
def risk_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(Risk, pk=pk)
    form = RiskForm(request.POST or None, instance=risk)
    if request.method == "POST":
        saved = save_form(form, lambda data: risk_update(actor=request.user, risk=risk, data=data))
        if saved:
            messages.success(request, f"Saved risk {saved.title}.")
            return redirect_to(request, reverse("programme:risk-detail", args=[saved.pk]))
    return render(
        request,
        "programme/risk_form.html",
        {"form": form, "risk": risk},
        status=400 if form.errors else 200,
    )


@require_GET
@reader_required
def risk_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(Risk.objects.select_related("system", "category", "owner"), pk=pk)
    mappings = risk.controls.select_related("control").prefetch_related("evidence")
    return render(
        request,
        "programme/risk_detail.html",
        {
            "risk": risk,
            "mappings": mappings,
            "map_form": RiskControlForm(),
            "status_choices": RiskControl.Status.choices,
            "history": audit_history(risk).order_by("-seq")[:50],
        },
    )


@require_POST
@permission_required("programme.change_risk")
def risk_control_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(Risk, pk=pk)
    form = RiskControlForm(request.POST)
    if form.is_valid():
        try:
            risk_control_map(
                actor=request.user,
                risk=risk,
                control=form.cleaned_data["control"],
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as err:
            messages.error(request, error_text(err))
        else:
            messages.success(request, f"Mapped {form.cleaned_data['control'].code}.")
    else:
        messages.error(request, "Choose a control from the library and a status.")
    return redirect_to(request, reverse("programme:risk-detail", args=[risk.pk]))


@require_POST
@permission_required("programme.change_risk")
def risk_control_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    mapping = get_object_or_404(RiskControl, pk=pk)
    form = ControlStatusForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            risk_control_update(
                actor=request.user,
                mapping=mapping,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                upload=form.cleaned_data["evidence"],
            )
        except ValidationError as err:
            messages.error(request, error_text(err))
        else:
            messages.success(request, f"Saved {mapping.control.code}.")
    else:
        messages.error(request, "Choose an implementation status.")
    return redirect_to(request, reverse("programme:risk-detail", args=[mapping.risk_id]))


@require_GET
@reader_required
def control_evidence_download(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    evidence = ControlEvidence.objects.filter(pk=pk).first()
    if evidence is None:
        raise Http404("No such evidence.")
    return blob_download(
        sha256=evidence.sha256,
        name=evidence.file_name,
        content_type=evidence.content_type,
        kind=evidence.kind,
    )


@require_GET
@reader_required
def control_list(request: HtmxHttpRequest) -> HttpResponse:
    controls = control_library(filters=request.GET)
    frameworks = sorted({c.framework for c in control_library()})
    return render(
        request,
        "programme/control_list.html",
        {
            "controls": controls,
            "frameworks": frameworks,
            "framework": request.GET.get("framework", ""),
        },
    )
