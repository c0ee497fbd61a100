"""The gateway part of discovery's system panel: observed vs recorded, usage and cost per team
and model, budget burn-down, the model allowlist against the models seen, and open drift."""

import datetime as dt

from django.utils import timezone

from discovery.models import Finding
from discovery.selectors_usage import (
    budget_rows,
    model_allowed,
    month_bounds,
    observed_vs_recorded,
    system_budgets,
    system_model_usage,
    usage_chart_data,
    usage_day_rows,
    usage_series,
    usage_totals,
)


def gateway_panel(*, request, system) -> dict | None:
    """None for a system no gateway saw and whose record names no gateway traffic to expect."""
    usage = system_model_usage(system=system)
    totals = usage_totals(usage)
    has_usage = totals["last"] is not None
    if not (has_usage or system.gateway_aliases or system.model_allowlist):
        return None
    user = getattr(request, "user", None)
    today = timezone.localdate()
    context: dict = {
        "totals": totals,
        "has_usage": has_usage,
        "allowlist": list(system.model_allowlist or []),
        "drift": list(
            Finding.objects.filter(
                system=system, kind=Finding.Kind.DRIFT, state__in=Finding.OPEN_STATES
            )
            .select_related("system")
            .order_by("-last_seen", "-pk")
        ),
        "can_triage": bool(user and user.has_perm("discovery.triage_finding")),
    }
    if has_usage:
        observed = observed_vs_recorded(system=system, today=today)
        day_rows = usage_day_rows(usage)
        by_team = usage_series(day_rows, by="team")
        by_model = usage_series(day_rows, by="model")
        for row in by_model["totals"]:
            row["allowed"] = model_allowed(row["name"], context["allowlist"])
        context |= {
            "observed": observed,
            "by_team": by_team,
            "by_model": by_model,
            "team_chart": usage_chart_data(by_team),
            "model_chart": usage_chart_data(by_model),
            "outside_allowlist": [r for r in by_model["totals"] if not r["allowed"]],
        }
    # Logs arrive late: the budgets are shown for the month of the latest usage, as the
    # overview ends on the latest day with traffic.
    month = (totals["last"] or today).replace(day=1)
    budgets = system_budgets(system=system)
    context["budgets"] = budget_rows(budgets=budgets, month=month) if budgets else []
    first, last = month_bounds(month)
    context["burn_chart"] = {
        "labels": [(first + dt.timedelta(days=i)).isoformat() for i in range(last.day)],
        "datasets": [
            r["series"]
            for r in context["budgets"]
            if any(p is not None for p in r["series"]["data"])
        ],
    }
    context["month"] = month
    context["chart_id"] = f"sys-{system.pk}"
    context["since"] = today - dt.timedelta(days=30)
    return context
