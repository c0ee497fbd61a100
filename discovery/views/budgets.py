"""Budgets: team and key budgets with their burn-down, the set/edit form and the gateway import."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from core.htmx import HtmxHttpRequest, error_text, redirect_to, render_partial, save_form
from core.permissions import permission_required, reader_required
from discovery.models import UsageBudget
from discovery.selectors_usage import (
    budget_rows,
    latest_usage_day,
    month_bounds,
    usage_budget_list,
)
from discovery.services.budgets import BudgetImportResult, budget_set, litellm_budgets_import

EDIT_PERM = "discovery.change_usagebudget"
IMPORT_MAX_BYTES = 5 * 1024 * 1024


class BudgetForm(forms.Form):
    scope = forms.ChoiceField(choices=UsageBudget.Scope.choices, initial=UsageBudget.Scope.TEAM)
    name = forms.CharField(
        max_length=200, label="Team or key alias", help_text="As the gateway logs name it."
    )
    monthly_tokens = forms.IntegerField(
        required=False, min_value=1, label="Monthly tokens", help_text="Input plus output tokens."
    )
    monthly_spend = forms.DecimalField(
        required=False, min_value=0, max_digits=14, decimal_places=2, label="Monthly spend (USD)"
    )
    model_allowlist = forms.CharField(
        required=False,
        label="Model allowlist",
        help_text="Comma-separated name patterns (gpt-4o*, claude-*); empty allows any model.",
    )

    def clean_model_allowlist(self) -> list[str]:
        raw = self.cleaned_data.get("model_allowlist") or ""
        return [p.strip() for p in raw.replace("\n", ",").split(",") if p.strip()]

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("monthly_tokens") and not data.get("monthly_spend"):
            raise ValidationError("Give a monthly token budget, a monthly spend budget or both.")
        return data


def _month(raw: str | None) -> dt.date:
    """?month=YYYY-MM, else the month of the latest gateway usage (logs arrive late), else this
    month; a value that is not a month is this month too (never a 400)."""
    today = timezone.localdate()
    if not raw:
        return (latest_usage_day() or today).replace(day=1)
    try:
        return dt.date.fromisoformat(f"{raw}-01")
    except ValueError:
        return today.replace(day=1)


def _form_for(request: HtmxHttpRequest) -> BudgetForm:
    raw = request.GET.get("edit", "")
    budget = UsageBudget.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if budget is None:
        return BudgetForm()
    return BudgetForm(
        initial={
            "scope": budget.scope,
            "name": budget.name,
            "monthly_tokens": budget.monthly_tokens,
            "monthly_spend": budget.monthly_spend,
            "model_allowlist": ", ".join(budget.model_allowlist or []),
        }
    )


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def budget_list(request: HtmxHttpRequest) -> HttpResponse:
    month = _month(request.GET.get("month"))
    first, last = month_bounds(month)
    budgets = list(usage_budget_list(filters=request.GET))
    rows = budget_rows(budgets=budgets, month=month)
    can_edit = request.user.has_perm(EDIT_PERM)
    chart = {
        "labels": [(first + dt.timedelta(days=i)).isoformat() for i in range(last.day)],
        "datasets": [r["series"] for r in rows if any(p is not None for p in r["series"]["data"])],
    }
    context = {
        "rows": rows,
        "month": month,
        "previous": (first - dt.timedelta(days=1)).strftime("%Y-%m"),
        "next": (last + dt.timedelta(days=1)).strftime("%Y-%m"),
        "chart": chart,
        "can_edit": can_edit,
        "form": _form_for(request) if can_edit else None,
        "scopes": UsageBudget.Scope.choices,
        "f": request.GET,
    }
    return render_partial(
        request,
        page="discovery/budget_list.html",
        partial="discovery/partials/budget_table.html",
        context=context,
    )


@require_http_methods(["GET", "POST"])
@permission_required(EDIT_PERM)
def budget_form(request: HtmxHttpRequest) -> HttpResponse:
    """GET draws the form (empty, or filled for ?edit=<pk>); POST sets the budget through the
    service, which creates or updates the one budget of that scope and name."""
    if request.method == "GET":
        return render(request, "discovery/partials/budget_form.html", {"form": _form_for(request)})
    form = BudgetForm(request.POST)
    budget = save_form(
        form,
        lambda data: budget_set(
            actor=request.user,
            scope=data["scope"],
            name=data["name"].strip(),
            monthly_tokens=data["monthly_tokens"],
            monthly_spend=data["monthly_spend"],
            model_allowlist=data["model_allowlist"],
        ),
    )
    if budget is None:
        return render(request, "discovery/partials/budget_form.html", {"form": form})
    messages.success(request, f"Budget saved: {budget}.")
    return redirect_to(request, f"{reverse('discovery:budget-list')}#budget-table")


@require_POST
@permission_required(EDIT_PERM)
def budget_import(request: HtmxHttpRequest) -> HttpResponse:
    """A LiteLLM team or key table export (JSON) becomes gateway budgets; bad rows are counted."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose the LiteLLM budget export (JSON) to upload.")
        return redirect("discovery:budget-list")
    if upload.size > IMPORT_MAX_BYTES:
        messages.error(
            request, "The budget export is larger than 5 MB; it cannot be a budget table."
        )
        return redirect("discovery:budget-list")
    try:
        result = litellm_budgets_import(
            actor=request.user, content=upload.read(), filename=upload.name
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("discovery:budget-list")
    messages.success(request, _import_message(result))
    return redirect("discovery:budget-list")


def _import_message(result: BudgetImportResult) -> str:
    text = (
        f"Gateway budgets imported from {result.rows} row{'s' if result.rows != 1 else ''}: "
        f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged"
    )
    if result.skipped:
        reasons = "; ".join(f"{why}: {n}" for why, n in result.reasons.most_common())
        text += f", {result.skipped} skipped ({reasons})"
    return text + "." + "".join(f" {note}" for note in result.notes)
