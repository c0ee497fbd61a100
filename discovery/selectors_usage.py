"""Reads for OAuth grants, AI-gateway usage (tokens and cost) and budgets, for the pages, the
system panel, the evidence pack and the API.

Every figure is summed in the database in a fixed number of queries whatever the number of
grants, users or days; days without usage are filled in as zero here, so charts show gaps.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db.models import Case, Count, Max, Min, Q, QuerySet, Sum, When

from discovery.engine.oauth import class_label, class_weight, grant_risk, grant_severity
from discovery.filters_usage import ModelUsageDayFilter, OAuthGrantFilter, UsageBudgetFilter
from discovery.models import CatalogApp, Finding, ModelUsageDay, OAuthGrant, UsageBudget
from discovery.risk import app_risk_score
from discovery.selectors import catalog_apps_by_key
from discovery.services.budgets import budget_burn
from discovery.services.drift import model_matches, region_recorded

TOP_SERIES = 8  # teams or models drawn as their own colour; the rest is "Other"
MAX_DAYS = 366
VOLUME_DAYS = 28  # the trailing window distinct users are counted over
DIMENSIONS = {"team": "Team", "model": "Model"}


def scope_class_label(value: str) -> str:
    """The class's label from oauth_scopes.yaml (the engine reads the same file)."""
    return class_label(value)


def oauth_grant_list(*, filters: Mapping[str, str] | None = None) -> QuerySet[OAuthGrant]:
    qs = OAuthGrant.objects.order_by("app_name", "user", "pk")
    return OAuthGrantFilter(filters or {}, queryset=qs).qs


def model_usage_list(*, filters: Mapping[str, str] | None = None) -> QuerySet[ModelUsageDay]:
    qs = ModelUsageDay.objects.select_related("system").order_by("-day", "app_key", "model", "pk")
    return ModelUsageDayFilter(filters or {}, queryset=qs).qs


def usage_budget_list(*, filters: Mapping[str, str] | None = None) -> QuerySet[UsageBudget]:
    return UsageBudgetFilter(filters or {}, queryset=UsageBudget.objects.all()).qs


def oauth_app_rows(*, app_key: str | None = None) -> list[dict]:
    """One row per OAuth-connected AI app (a catalogue app): users, grants still active, scope
    classes, first and last grant, client ids and grant risk; two queries whatever the number
    of grants."""
    return oauth_overview(app_key=app_key)[0]


def oauth_overview(*, app_key: str | None = None) -> tuple[list[dict], int]:
    """The AI apps' rows and how many other OAuth apps (not in the AI catalogue: calendar tools,
    CRMs...) were granted access, in two queries (one when nothing was granted)."""
    grants = OAuthGrant.objects.all()
    if app_key is not None:
        grants = grants.filter(app_key=app_key)
    rows: dict[str, dict] = {}
    for r in (
        grants.values("app_key", "app_name")
        .annotate(
            users=Count("user", distinct=True),
            grants=Count("pk"),
            n_active=Count("pk", filter=Q(active=True)),
            n_active_users=Count(Case(When(active=True, then="user")), distinct=True),
            first=Min("first_granted"),
            last=Max("last_granted"),
        )
        .order_by()
    ):
        key = r["app_key"]
        row = rows.setdefault(
            key,
            {
                "group": key,
                "app_key": r["app_key"],
                "names": [],
                "users": 0,
                "grants": 0,
                "active": 0,
                "active_users": 0,
                "first": None,
                "last": None,
                "scope_classes": [],
                "client_ids": [],
            },
        )
        row["names"].append(r["app_name"])
        # A user granting two client ids of one app counts once per id here; apps rarely have two.
        for field in ("users", "grants"):
            row[field] += r[field]
        row["active"] += r["n_active"]
        row["active_users"] += r["n_active_users"]
        row["first"] = min(filter(None, [row["first"], r["first"]]), default=None)
        row["last"] = max(filter(None, [row["last"], r["last"]]), default=None)
    if not rows:
        return [], 0
    classes: dict[str, set[str]] = defaultdict(set)
    clients: dict[str, set[str]] = defaultdict(set)
    for key, scope_classes, client_id in (
        grants.values_list("app_key", "scope_classes", "client_id").distinct().order_by()
    ):
        classes[key].update(scope_classes or [])
        clients[key].add(client_id)
    rows.pop("", None)  # grants to apps the catalogue does not know
    catalog = _catalog_for(row["app_key"] for row in rows.values())
    for key, row in rows.items():
        row["scope_classes"] = sorted(classes[key], key=lambda c: (-class_weight(c), c))
        row["client_ids"] = sorted(clients[key])
        cat = catalog.get(row["app_key"])
        row["name"] = cat.name if cat else row["names"][0]
        row["risk"] = oauth_risk(cat=cat, scope_classes=row["scope_classes"])
    ordered = sorted(rows.values(), key=lambda r: (-r["active"], -r["users"], r["name"].lower()))
    return ordered, len(clients.get("", ()))


def _catalog_for(keys: Iterable[str]) -> dict[str, CatalogApp]:
    wanted = {k for k in keys if k}
    return {k: a for k, a in catalog_apps_by_key().items() if k in wanted} if wanted else {}


def oauth_risk(*, cat: CatalogApp | None, scope_classes: list[str]) -> dict:
    """Grant risk = the app's catalogue risk weight x the heaviest scope class (engine.oauth)."""
    level = app_risk_score(
        category=cat.category if cat else None,
        risk=cat.risk if cat else None,
        known=cat is not None,
    ).level
    score = grant_risk(level, scope_classes)
    heaviest = scope_classes[0] if scope_classes else "other"
    return {
        "score": score,
        "level": grant_severity(score),
        "explain": f"app risk {level} x {class_label(heaviest)} (weight {class_weight(heaviest)})",
    }


def app_grants(*, app_key: str, limit: int = 500) -> list[OAuthGrant]:
    """An app's grants, active first, most recent grant first."""
    return list(
        OAuthGrant.objects.filter(app_key=app_key).order_by(
            "-active", "-last_granted", "user", "pk"
        )[:limit]
    )


def _days(day_from: dt.date, day_to: dt.date) -> list[dt.date]:
    return [day_from + dt.timedelta(days=i) for i in range((day_to - day_from).days + 1)]


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def usage_day_rows(usage: QuerySet[ModelUsageDay]) -> list[dict]:
    """Tokens, requests and cost per team, model and day: one query feeds both series."""
    return list(
        usage.values("team", "model", "day")
        .annotate(
            requests=Sum("requests"),
            tokens_in=Sum("input_tokens"),
            tokens_out=Sum("output_tokens"),
            spend=Sum("cost"),
        )
        .order_by()
    )


def usage_series(day_rows: list[dict], *, by: str, max_days: int = MAX_DAYS) -> dict:
    """Tokens and cost per day, one series per team or model (the top ones and "Other"), every
    day between the first and the last day of usage (the last `max_days` of them), from
    usage_day_rows()."""
    if by not in DIMENSIONS:
        raise ValueError(f"Unknown dimension {by!r}.")
    per: dict[str, dict[dt.date, list]] = defaultdict(lambda: defaultdict(lambda: [0, Decimal(0)]))
    totals: dict[str, dict] = {}
    for r in day_rows:
        name = r[by] or "(none)"
        cell = per[name][r["day"]]
        cell[0] += (r["tokens_in"] or 0) + (r["tokens_out"] or 0)
        cell[1] += r["spend"] or 0
        t = totals.setdefault(
            name,
            {
                "name": name,
                "requests": 0,
                "input_tokens": 0,
                "output_tokens": 0,
                "cost": Decimal(0),
            },
        )
        t["requests"] += r["requests"] or 0
        t["input_tokens"] += r["tokens_in"] or 0
        t["output_tokens"] += r["tokens_out"] or 0
        t["cost"] += r["spend"] or 0
    if not per:
        return {"by": by, "labels": [], "datasets": [], "rows": [], "totals": [], "names": []}
    all_days = {d for series in per.values() for d in series}
    last = max(all_days)
    first = max(min(all_days), last - dt.timedelta(days=max_days - 1))
    days = _days(first, last)
    ranked = sorted(per, key=lambda s: (-sum(c[0] for c in per[s].values()), s))
    shown, rest = ranked[:TOP_SERIES], ranked[TOP_SERIES:]

    def values(names: list[str], day: dt.date) -> tuple[int, Decimal]:
        cells = [per[n].get(day) for n in names]
        return (
            sum(c[0] for c in cells if c),
            sum((c[1] for c in cells if c), Decimal(0)),
        )

    datasets = []
    groups = [[s] for s in shown] + ([rest] if rest else [])
    labels = shown + (["Other"] if rest else [])
    for label, names in zip(labels, groups, strict=True):
        points = [values(names, d) for d in days]
        datasets.append(
            {
                "label": label,
                "tokens": [p[0] for p in points],
                "cost": [float(_money(p[1])) for p in points],
            }
        )
    rows = [
        {
            "day": d,
            "cells": [(ds["tokens"][i], ds["cost"][i]) for ds in datasets],
            "tokens": sum(ds["tokens"][i] for ds in datasets),
            "cost": round(sum(ds["cost"][i] for ds in datasets), 2),
        }
        for i, d in enumerate(days)
    ]
    table = sorted(
        totals.values(), key=lambda t: (-(t["input_tokens"] + t["output_tokens"]), t["name"])
    )
    for t in table:
        t["tokens"] = t["input_tokens"] + t["output_tokens"]
        t["cost"] = _money(t["cost"])
    return {
        "by": by,
        "labels": [d.isoformat() for d in days],
        "datasets": datasets,
        "rows": rows,
        "totals": table,
        "names": labels,
    }


def usage_chart_data(series: dict) -> dict:
    """What the chart script reads (json_script): labels and, per series, tokens and cost."""
    return {"labels": series["labels"], "datasets": series["datasets"], "by": series["by"]}


def usage_sums() -> dict:
    """Requests, tokens in and out, cost, first and last day of model-usage rows (for
    aggregate() or annotate())."""
    return {
        "requests": Sum("requests"),
        "input_tokens": Sum("input_tokens"),
        "output_tokens": Sum("output_tokens"),
        "cost": Sum("cost"),
        "first": Min("day"),
        "last": Max("day"),
    }


def usage_totals(usage: QuerySet[ModelUsageDay]) -> dict:
    agg = usage.aggregate(
        **usage_sums(),
        users=Count(Case(When(~Q(identity=""), then="identity")), distinct=True),
    )
    agg = {k: (v or 0) if k not in ("first", "last") else v for k, v in agg.items()}
    agg["tokens"] = agg["input_tokens"] + agg["output_tokens"]
    agg["cost"] = _money(agg["cost"])
    return agg


def app_model_usage(*, app_key: str) -> QuerySet[ModelUsageDay]:
    return ModelUsageDay.objects.filter(app_key=app_key)


def system_model_usage(*, system) -> QuerySet[ModelUsageDay]:
    return ModelUsageDay.objects.filter(system=system)


def model_allowed(model: str, patterns: Iterable[str]) -> bool:
    """An empty allowlist allows any model; otherwise a pattern must name it (as the rules judge)."""
    patterns = [p for p in patterns if p and p.strip()]
    return not patterns or model_matches(model, patterns)


RECORDED = {
    "team": lambda value, recorded: value.strip().lower() in {r.strip().lower() for r in recorded},
    "model": model_matches,
    "region": region_recorded,
}


def observed_vs_recorded(*, system, today: dt.date) -> dict:
    """What the system's gateway/trace usage shows beside its inventory facts: teams, models,
    regions and the number of users; a value not recorded is what a drift finding proposes."""
    usage = system_model_usage(system=system)
    dims = {
        "team": ("Teams", list(system.teams_using or []) + ([system.team] if system.team else [])),
        "model": ("Models", list(system.models_used or [])),
        "region": ("Regions", list(system.data_regions or [])),
    }
    observed: dict[str, list[dict]] = {d: [] for d in dims}
    for r in (
        usage.values("team", "model", "region")
        .annotate(requests=Sum("requests"), last=Max("day"), first=Min("day"))
        .order_by()
    ):
        for dim in dims:
            value = r[dim]
            if not value:
                continue
            rows = observed[dim]
            row = next((x for x in rows if x["value"] == value), None)
            if row is None:
                row = {"value": value, "requests": 0, "first": r["first"], "last": r["last"]}
                rows.append(row)
            row["requests"] += r["requests"] or 0
            row["first"] = min(row["first"], r["first"])
            row["last"] = max(row["last"], r["last"])
    drift_open = {
        (f.evidence.get("dimension"), str(f.evidence.get("value", "")).lower()): f
        for f in Finding.objects.filter(
            system=system, kind=Finding.Kind.DRIFT, state__in=Finding.OPEN_STATES
        )
    }
    sections = []
    for dim, (label, recorded_values) in dims.items():
        recorded_values = [v for v in recorded_values if v and v.strip()]
        rows = sorted(observed[dim], key=lambda x: (-x["requests"], x["value"]))
        for row in rows:
            row["recorded"] = RECORDED[dim](row["value"], recorded_values)
            row["drift"] = drift_open.get((_dimension_key(dim), row["value"].lower()))
        sections.append(
            {
                "key": dim,
                "label": label,
                "recorded": sorted(set(recorded_values)),
                "observed": rows,
                "unrecorded": [row for row in rows if not row["recorded"]],
            }
        )
    last = usage.aggregate(last=Max("day"))["last"]
    users_recent = 0
    if last:
        since = last - dt.timedelta(days=VOLUME_DAYS - 1)
        users_recent = (
            usage.filter(day__gte=since).exclude(identity="").values("identity").distinct().count()
        )
    return {
        "sections": sections,
        "volume": {
            "users": users_recent,
            "expected": system.expected_users,
            "window_days": VOLUME_DAYS,
            "last_day": last,
            "over": bool(system.expected_users and users_recent > 2 * system.expected_users),
            "drift": drift_open.get(("volume", ""))
            or next((f for (d, _v), f in drift_open.items() if d == "volume"), None),
        },
        "has_usage": last is not None,
    }


def _dimension_key(dim: str) -> str:
    """Drift findings name their dimension in the plural (teams, models, regions)."""
    return {"team": "teams", "model": "models", "region": "regions"}.get(dim, dim)


def system_budgets(*, system) -> list[UsageBudget]:
    """Budgets of the teams and gateway keys that use the system or that its record names."""
    teams = set(system.teams_using or []) | ({system.team} if system.team else set())
    keys = set(system.gateway_aliases or [])
    used = system_model_usage(system=system)
    for team, key in used.values_list("team", "key_alias").distinct().order_by():
        if team:
            teams.add(team)
        if key:
            keys.add(key)
    if not teams and not keys:
        return []
    return list(
        UsageBudget.objects.filter(
            Q(scope=UsageBudget.Scope.TEAM, name__in=teams)
            | Q(scope=UsageBudget.Scope.KEY, name__in=keys)
        )
    )


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def budget_daily(*, budgets: list[UsageBudget], month: dt.date) -> dict[int, dict[dt.date, dict]]:
    """Tokens and spend per day of the month for each budget (its team's or its key's usage),
    in two queries whatever the number of budgets."""
    first, last = month_bounds(month)
    in_month = ModelUsageDay.objects.filter(day__gte=first, day__lte=last)
    by_scope = {
        UsageBudget.Scope.TEAM: ("team", {b.name for b in budgets if b.scope == "team"}),
        UsageBudget.Scope.KEY: ("key_alias", {b.name for b in budgets if b.scope == "key"}),
    }
    found: dict[tuple[str, str], dict[dt.date, dict]] = defaultdict(dict)
    for scope, (field, names) in by_scope.items():
        if not names:
            continue
        for r in (
            in_month.filter(**{f"{field}__in": names})
            .values(field, "day")
            .annotate(
                tokens_in=Sum("input_tokens"), tokens_out=Sum("output_tokens"), spend=Sum("cost")
            )
            .order_by()
        ):
            found[(scope, r[field])][r["day"]] = {
                "tokens": (r["tokens_in"] or 0) + (r["tokens_out"] or 0),
                "spend": Decimal(r["spend"] or 0),
            }
    return {b.pk: found.get((b.scope, b.name), {}) for b in budgets}


def burn_series(*, budget: UsageBudget, daily: dict[dt.date, dict], month: dt.date) -> dict:
    """Cumulative share of the budget used on each day of the month up to the last day with
    usage (spend when the budget has a spend limit, else tokens)."""
    first, last = month_bounds(month)
    days = _days(first, last)
    limit = budget.monthly_spend if budget.monthly_spend else budget.monthly_tokens
    measure = "spend" if budget.monthly_spend else "tokens"
    upto = max(daily) if daily else None
    points, running = [], Decimal(0)
    for d in days:
        if upto is None or d > upto:
            points.append(None)
            continue
        running += Decimal(daily.get(d, {}).get(measure, 0))
        points.append(round(float(running * 100 / Decimal(limit)), 1) if limit else None)
    return {
        "label": f"{budget.get_scope_display()} {budget.name}",
        "measure": measure,
        "data": points,
    }


def budget_rows(*, budgets: list[UsageBudget], month: dt.date) -> list[dict]:
    """Each budget with its month's burn (used, percent, projected month end) and the daily
    cumulative share of it for the burn-down chart."""
    daily = budget_daily(budgets=budgets, month=month)
    rows = []
    for budget in budgets:
        days = daily.get(budget.pk, {})
        rows.append(
            {
                "budget": budget,
                "burn": budget_burn(budget, month),
                "series": burn_series(budget=budget, daily=days, month=month),
                "days_with_usage": len(days),
            }
        )
    return rows


def system_log_days(*, system) -> set[dt.date]:
    """Days on which a gateway, invocation log or trace recorded this system's use."""
    return set(ModelUsageDay.objects.filter(system=system).values_list("day", flat=True).distinct())


def latest_usage_day() -> dt.date | None:
    return ModelUsageDay.objects.aggregate(last=Max("day"))["last"]
