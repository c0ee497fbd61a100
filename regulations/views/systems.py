"""Per-system panel endpoints: refresh, re-classify, override, record a substantial modification."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from core.htmx import HtmxHttpRequest, is_partial
from core.ids import parse_id
from core.permissions import permission_required, reader_required
from inventory.models import AISystem
from regulations.forms import ModificationForm, OverrideForm
from regulations.models import ClassificationResult, ManualOverride
from regulations.panels import override_form, panel_context
from regulations.services import (
    classification_override,
    classification_override_withdraw,
    classification_run,
    system_record_substantial_modification,
)

PANEL = "regulations/partials/system_panel.html"


def _system_url(system: AISystem) -> str:
    try:
        return reverse("inventory:system-detail", args=[system.pk])
    except NoReverseMatch:
        return reverse("regulations:system-panel", args=[system.pk])


def _panel(request: HtmxHttpRequest, system: AISystem, **extra) -> HttpResponse:
    if not is_partial(request):
        return redirect(_system_url(system))
    context = panel_context(system=system, user=request.user, **extra)
    context.update({"system": system})
    return render(request, PANEL, context)


@require_GET
@reader_required
def system_panel_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(AISystem, pk=pk)
    context = panel_context(system=system, user=request.user)
    context["system"] = system
    if is_partial(request):
        return render(request, PANEL, context)
    return render(request, "regulations/system_panel_page.html", context)


@require_POST
@permission_required("regulations.classify_system")
def system_classify(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(AISystem, pk=pk)
    classification_run(system=system, actor=request.user)
    return _panel(request, system)


@require_GET
@permission_required("regulations.override_classification")
def system_override_form(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The panel fetches a result's override form when the user opens it (a page without JS)."""
    system = get_object_or_404(AISystem, pk=pk)
    result = get_object_or_404(
        ClassificationResult.objects.select_related("regime", "content_version"),
        pk=parse_id(request.GET.get("result")) or 0,
        system=system,
    )
    context = {
        "system": system,
        "result": result,
        "form": override_form(result),
        "htmx": is_partial(request),
    }
    if is_partial(request):
        return render(request, "regulations/partials/override_form.html", context)
    return render(request, "regulations/override_form_page.html", context)


@require_POST
@permission_required("regulations.override_classification")
def system_override(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(AISystem, pk=pk)
    form = OverrideForm(request.POST)
    regime_code = ""
    if form.is_valid():
        result = (
            ClassificationResult.objects.filter(pk=form.cleaned_data["result_id"], system=system)
            .select_related("regime")
            .first()
        )
        if result is None:
            form.add_error(None, "That classification result does not belong to this system.")
        else:
            regime_code = result.regime.code
            try:
                classification_override(
                    actor=request.user,
                    result=result,
                    outcome_label=form.cleaned_data["outcome_label"],
                    risk_tier=form.cleaned_data["risk_tier"],
                    high_risk=form.cleaned_data["high_risk"],
                    justification=form.cleaned_data["justification"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return _panel(request, system, open_regime=regime_code)
    else:
        result = ClassificationResult.objects.filter(pk=request.POST.get("result_id") or 0).first()
        regime_code = result.regime.code if result else ""
    if not is_partial(request):
        return redirect(_system_url(system))
    return _panel(request, system, override_errors={"form": form}, form_regime=regime_code)


@require_POST
@permission_required("regulations.override_classification")
def override_withdraw(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    override = get_object_or_404(ManualOverride.objects.select_related("system", "regime"), pk=pk)
    classification_override_withdraw(actor=request.user, override=override)
    return _panel(request, override.system, open_regime=override.regime.code)


@require_POST
@permission_required("regulations.add_substantialmodification")
def system_modification(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(AISystem, pk=pk)
    form = ModificationForm(request.POST)
    if form.is_valid():
        try:
            system_record_substantial_modification(
                actor=request.user,
                system=system,
                description=form.cleaned_data["description"],
                on=form.cleaned_data["on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _panel(request, system)
    if not is_partial(request):
        return redirect(_system_url(system))
    return _panel(request, system, modification_form=form)
