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


def _risk_form(
    request: HtmxHttpRequest, form: RiskForm, write, verb: str, **context
) -> HttpResponse:
    """The risk form: on a valid POST, `write(data)` saves and the risk's page follows."""
    if request.method == "POST":
        risk = save_form(form, write)
        if risk:
            messages.success(request, f"{verb} risk {risk.title}.")
            return redirect_to(request, reverse("programme:risk-detail", args=[risk.pk]))
    status = 400 if form.errors else 200
    return render(request, "programme/risk_form.html", {"form": form, **context}, status=status)


@require_http_methods(["GET", "POST"])
@permission_required("programme.add_risk")
def risk_create_view(request: HtmxHttpRequest) -> HttpResponse:
    initial = {"system": request.GET.get("system") or None}
    form = RiskForm(request.POST or None, initial=initial)
    return _risk_form(
        request, form, lambda data: risk_create(actor=request.user, data=data), "Added"
    )


@require_http_methods(["GET", "POST"])
@permission_required("programme.change_risk")
def risk_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(Risk, pk=pk)
    form = RiskForm(request.POST or None, instance=risk)
    write = lambda data: risk_update(actor=request.user, risk=risk, data=data)  # noqa: E731
    return _risk_form(request, form, write, "Saved", risk=risk)


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


def _apply(request: HtmxHttpRequest, form, write, done, invalid: str) -> None:
    """`write(data)` on a valid form; its refusal, `done(data)` or `invalid` becomes the message."""
    if not form.is_valid():
        messages.error(request, invalid)
        return
    try:
        write(form.cleaned_data)
    except ValidationError as err:
        messages.error(request, error_text(err))
    else:
        messages.success(request, done(form.cleaned_data))


@require_POST
@permission_required("programme.change_risk")
def risk_control_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(Risk, pk=pk)
    _apply(
        request,
        RiskControlForm(request.POST),
        lambda d: risk_control_map(
            actor=request.user, risk=risk, control=d["control"], status=d["status"], note=d["note"]
        ),
        lambda d: f"Mapped {d['control'].code}.",
        "Choose a control from the library and a status.",
    )
    return redirect_to(request, reverse("programme:risk-detail", args=[risk.pk]))


@require_POST
@permission_required("programme.change_risk")
def risk_control_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    mapping = get_object_or_404(RiskControl, pk=pk)
    _apply(
        request,
        ControlStatusForm(request.POST, request.FILES),
        lambda d: risk_control_update(
            actor=request.user,
            mapping=mapping,
            status=d["status"],
            note=d["note"],
            upload=d["evidence"],
        ),
        lambda d: f"Saved {mapping.control.code}.",
        "Choose an implementation status.",
    )
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
