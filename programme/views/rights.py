"""People's rights requests: the log, statutory due dates with their citations, answers."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from core.audit import audit_history
from core.htmx import HtmxHttpRequest, error_text, redirect_to, render_partial, save_form
from core.permissions import permission_required, reader_required
from programme.filters import RightsRequestFilter
from programme.forms import RightsAnswerForm, RightsRequestForm
from programme.models import RightsRequest
from programme.rights import (
    rights_request_create,
    rights_request_extend,
    rights_request_update,
    rights_summary,
)


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def rights_list(request: HtmxHttpRequest) -> HttpResponse:
    qs = RightsRequest.objects.select_related("rule", "system", "handler")
    filterset = RightsRequestFilter(request.GET or None, queryset=qs)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render_partial(
        request,
        page="programme/rights_list.html",
        partial="programme/partials/rights_table.html",
        context={"filter": filterset, "page": page, "summary": rights_summary()},
    )


@require_http_methods(["GET", "POST"])
@permission_required("programme.add_rightsrequest")
def rights_create(request: HtmxHttpRequest) -> HttpResponse:
    form = RightsRequestForm(request.POST or None)
    if request.method == "POST":
        item = save_form(form, lambda data: rights_request_create(actor=request.user, data=data))
        if item:
            due = f"due {item.due_on:%Y-%m-%d}" if item.due_on else "no statutory period"
            messages.success(request, f"Logged {item.rule.title} ({due}).")
            return redirect_to(request, reverse("programme:rights-detail", args=[item.pk]))
    return render(
        request, "programme/rights_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
@reader_required
def rights_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(RightsRequest.objects.select_related("rule", "system"), pk=pk)
    form = RightsAnswerForm(
        initial={
            "identity": item.identity,
            "responded_on": item.responded_on,
            "outcome": item.outcome,
            "notes": item.notes,
        }
    )
    return render(
        request,
        "programme/rights_detail.html",
        {"item": item, "form": form, "history": audit_history(item).order_by("-seq")[:50]},
    )


@require_POST
@permission_required("programme.change_rightsrequest")
def rights_answer(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(RightsRequest, pk=pk)
    form = RightsAnswerForm(request.POST)
    if form.is_valid():
        try:
            rights_request_update(actor=request.user, item=item, data=form.cleaned_data)
        except ValidationError as err:
            messages.error(request, error_text(err))
        else:
            messages.success(request, "Saved.")
    else:
        messages.error(request, "Check the dates and the verification status.")
    return redirect_to(request, reverse("programme:rights-detail", args=[item.pk]))


@require_POST
@permission_required("programme.change_rightsrequest")
def rights_extend(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(RightsRequest, pk=pk)
    try:
        item = rights_request_extend(
            actor=request.user, item=item, reason=request.POST.get("reason", "")
        )
    except ValidationError as err:
        messages.error(request, error_text(err))
    else:
        messages.success(request, f"Extended; now due {item.due_on:%Y-%m-%d}.")
    return redirect_to(request, reverse("programme:rights-detail", args=[item.pk]))
