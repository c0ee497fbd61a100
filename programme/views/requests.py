"""AI-use requests: staff ask, officers decide; a requester only ever sees their own."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from core.audit import audit_history
from core.htmx import HtmxHttpRequest, error_text, redirect_to, render_partial, save_form
from core.permissions import permission_required
from discovery.models import Finding
from inventory.models import AISystem
from programme.access import requester_required
from programme.forms import AIUseRequestForm, DecisionForm, InviteForm
from programme.models import AIUseRequest
from programme.selectors import (
    ai_use_request_filterset,
    ai_use_request_visible,
    catalog_app,
    catalog_search,
    sees_every_request,
)
from programme.services import (
    ai_use_request_complete,
    ai_use_request_decide,
    ai_use_request_invite,
    ai_use_request_submit,
)


def _with_catalogue(data: dict) -> dict:
    """A tool picked from the catalogue carries its key and vendor; free text stays as typed."""
    data = dict(data)
    app = catalog_app(key=data.get("catalog_key", ""))
    if app is None:
        matches = [
            a
            for a in catalog_search(query=data["tool_name"])
            if a.name.lower() == data["tool_name"].strip().lower()
        ]
        app = matches[0] if matches else None
    data["catalog_key"] = app.key if app else ""
    if app and not data.get("vendor_name"):
        data["vendor_name"] = app.vendor
    return data


@require_GET
@requester_required
@vary_on_headers("HX-Request")
def request_list(request: HtmxHttpRequest) -> HttpResponse:
    filterset = ai_use_request_filterset(user=request.user, filters=request.GET)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render_partial(
        request,
        page="programme/request_list.html",
        partial="programme/partials/request_table.html",
        context={"filter": filterset, "page": page, "sees_all": sees_every_request(request.user)},
    )


@require_http_methods(["GET", "POST"])
@requester_required
def request_create(request: HtmxHttpRequest) -> HttpResponse:
    form = AIUseRequestForm(request.POST or None)
    if request.method == "POST":
        created = save_form(
            form,
            lambda data: ai_use_request_submit(actor=request.user, data=_with_catalogue(data)),
        )
        if created:
            messages.success(request, f"Sent your request to use {created.tool_name}.")
            return _to_detail(request, created)
    return render(
        request, "programme/request_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
@requester_required
def tool_search(request: HtmxHttpRequest) -> HttpResponse:
    apps = catalog_search(query=request.GET.get("tool_name", "") or request.GET.get("q", ""))
    return render(request, "programme/partials/tool_options.html", {"apps": apps})


def _visible(request, pk: int) -> AIUseRequest:
    found = ai_use_request_visible(user=request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such request.")
    return found


@require_GET
@requester_required
def request_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    can_triage = request.user.has_perm("programme.triage_aiuserequest")
    context = {
        "item": item,
        "can_triage": can_triage and item.status == AIUseRequest.Status.SUBMITTED,
        "decision_form": DecisionForm(),
        "complete_form": AIUseRequestForm(
            initial={"tool_name": item.tool_name, "catalog_key": item.catalog_key}
        )
        if item.status == AIUseRequest.Status.INVITED and item.requester_id == request.user.pk
        else None,
        "history": audit_history(item).order_by("-seq")[:50]
        if sees_every_request(request.user)
        else [],
    }
    return render(request, "programme/request_detail.html", context)


def _to_detail(request: HtmxHttpRequest, item: AIUseRequest) -> HttpResponse:
    return redirect_to(request, reverse("programme:request-detail", args=[item.pk]))


def _detail_invalid(request: HtmxHttpRequest, item: AIUseRequest, **forms) -> HttpResponse:
    """The request page again with a form's errors (no history: the page is for correcting)."""
    context = {"item": item, **forms, "history": []}
    return render(request, "programme/request_detail.html", context, status=400)


@require_POST
@requester_required
def request_complete(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    form = AIUseRequestForm(request.POST)
    done = save_form(
        form,
        lambda data: ai_use_request_complete(
            actor=request.user, request=item, data=_with_catalogue(data)
        ),
    )
    if done:
        messages.success(request, f"Sent your answer about {done.tool_name}.")
        return _to_detail(request, done)
    return _detail_invalid(request, item, complete_form=form, decision_form=None)


@require_POST
@permission_required("programme.triage_aiuserequest")
def request_decide(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(AIUseRequest, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        system = None
        if form.cleaned_data["system"]:
            system = AISystem.objects.filter(pk=form.cleaned_data["system"]).first()
            if system is None:
                form.add_error("system", "No system has this id.")
        if not form.errors:
            try:
                item = ai_use_request_decide(
                    actor=request.user,
                    request=item,
                    decision=form.cleaned_data["decision"],
                    conditions=form.cleaned_data["conditions"],
                    reason=form.cleaned_data["reason"],
                    system=system,
                )
            except ValidationError as err:
                messages.error(request, error_text(err))
            else:
                messages.success(request, f"Request {item.get_status_display().lower()}.")
            return _to_detail(request, item)
    return _detail_invalid(request, item, can_triage=True, decision_form=form)


@require_POST
@permission_required("programme.triage_aiuserequest")
def finding_invite(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding, pk=pk)
    form = InviteForm(request.POST)
    form.is_valid()
    try:
        item = ai_use_request_invite(
            actor=request.user, finding=finding, identity=form.cleaned_data.get("identity", "")
        )
    except ValidationError as err:
        messages.error(request, error_text(err))
        return redirect_to(request, reverse("discovery:finding-detail", args=[finding.pk]))
    messages.success(request, f"Asked {item.requester.get_username()} about {item.tool_name}.")
    return _to_detail(request, item)
