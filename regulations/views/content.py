"""Regime content pages: regimes, one version's rules and obligations, a diff, the org profile."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.extensions import app_hooks
from core.htmx import HtmxHttpRequest, redirect_to, render_partial
from core.permissions import reader_required
from regulations import selectors
from regulations.diffing import version_diff
from regulations.forms import OrganisationForm
from regulations.models import ContentVersion, Organisation, Regime
from regulations.services import organisation_update
from regulations.services.classification import version_for_regime


@require_GET
@reader_required
def regime_list(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    # One count per regime in the same query, not a query per regime.
    regimes = selectors.regime_list(filters=request.GET).annotate(
        system_count=Count("results__system", distinct=True)
    )
    for regime in regimes:
        current, mode = version_for_regime(regime=regime, on=today)
        versions = sorted(
            regime.versions.all(), key=lambda v: (v.effective_from or today, v.version)
        )
        rows.append(
            {
                "regime": regime,
                "versions": versions,
                "current": current,
                "mode": mode,
                "template_only": all(not v.data.get("applies_to_systems", True) for v in versions),
                "systems": regime.system_count,
            }
        )
    return render(request, "regulations/regime_list.html", {"rows": rows, "today": today})


def _version(code: str, version: str) -> ContentVersion:
    cv = (
        ContentVersion.objects.select_related("regime")
        .filter(regime__code=code, version=version)
        .first()
    )
    if cv is None:
        raise Http404("No such regime version.")
    return cv


def _with_evidence(cv) -> list:
    """The version's obligations, each with `evidence` from later apps' records (e.g. the AI-literacy
    coverage for EU Art 4) through core.extensions `obligation_evidence`."""
    obligations = list(cv.obligations.all())
    found: dict = {}
    for hook in app_hooks("obligation_evidence"):
        found.update(hook.target(obligations=[(cv.regime.code, o.key) for o in obligations]))
    for o in obligations:
        o.evidence = found.get((cv.regime.code, o.key))
    return obligations


@require_GET
@reader_required
def version_detail(request: HtmxHttpRequest, code: str, version: str) -> HttpResponse:
    cv = _version(code, version)
    today = timezone.localdate()
    current, mode = version_for_regime(regime=cv.regime, on=today)
    context = {
        "cv": cv,
        "regime": cv.regime,
        "is_current": current is not None and current.pk == cv.pk,
        "mode": mode,
        "rules": cv.rules.all(),
        "obligations": _with_evidence(cv),
        "deadline_specs": cv.deadline_specs.all(),
        "templates": cv.templates.all(),
        "checklist": cv.checklist_items.all(),
        "others": cv.regime.versions.exclude(pk=cv.pk),
    }
    return render(request, "regulations/version_detail.html", context)


@require_GET
@reader_required
def version_diff_view(request: HtmxHttpRequest, code: str) -> HttpResponse:
    regime = get_object_or_404(Regime, code=code)
    versions = list(regime.versions.order_by("effective_from", "version"))
    old_name, new_name = request.GET.get("from", ""), request.GET.get("to", "")
    if not old_name and len(versions) >= 2:
        old_name, new_name = versions[-2].version, versions[-1].version
    by_name = {v.version: v for v in versions}
    old, new = by_name.get(old_name), by_name.get(new_name)
    error = ""
    headline, sections = [], []
    if old and new:
        headline, sections = version_diff(old, new)
    elif old_name or new_name:
        error = "Choose two versions of this regime."
    return render(
        request,
        "regulations/version_diff.html",
        {
            "regime": regime,
            "versions": versions,
            "old": old,
            "new": new,
            "headline": headline,
            "sections": sections,
            "error": error,
        },
    )


@require_http_methods(["GET", "POST"])
@reader_required
def organisation_view(request: HtmxHttpRequest) -> HttpResponse:
    org = Organisation.get()
    can_edit = request.user.has_perm("regulations.change_organisation")
    form = OrganisationForm(instance=org)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = OrganisationForm(request.POST, instance=Organisation.get())
        if form.is_valid():
            try:
                organisation_update(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, "Organisation profile saved; systems are being re-classified."
                )
                return redirect_to(request, reverse("regulations:organisation"))
    return render_partial(
        request,
        page="regulations/organisation.html",
        partial="regulations/partials/org_form.html",
        context={"org": org, "form": form, "can_edit": can_edit},
    )
