"""Findings from OAuth grants and AI-gateway usage, applied once per batch after its grants and
model usage are written: AI apps granted access to corporate data, models a system does not
list or may not call, spend spikes, keys shared across teams, budget thresholds and drift.

Each rule takes what the batch touched (apps, systems, teams, keys, days) and judges it on the
whole stored history, so the same files give the same findings in any order, and a batch run
again refreshes its findings instead of opening new ones."""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import TruncMonth

from discovery.engine.oauth import grant_risk, grant_severity
from discovery.mappings import data_categories_for
from discovery.models import (
    CatalogApp,
    DiscoveredApp,
    Finding,
    IngestRun,
    ModelUsageDay,
    OAuthGrant,
    UsageBudget,
)
from discovery.risk import app_risk_score
from discovery.selectors import app_status, blocklist_domains, catalog_apps_current
from discovery.services.budgets import budget_alerts, month_start
from discovery.services.drift import drift_detect, model_matches
from discovery.services.findings import SUPERSEDED, finding_upsert, findings_supersede
from inventory.models import AISystem

# Spend spike: a day's spend against the trailing 28 days (median and MAD, Iglewicz-Hoaglin
# modified z-score); days after a subject's first day of use count as zero when it spent nothing.
SPIKE_WINDOW_DAYS = 28
SPIKE_MIN_BASELINE_DAYS = 7
SPIKE_Z = 3.5
SPIKE_MIN_SPEND = Decimal("10")  # a day's spend below this (USD) is never a spike
TOP_USERS = 50


@dataclass
class BatchScope:
    """What one batch touched, read from its merged chunk results: usage keys without the team
    (the writer may fill it from the identity mapping) -> the teams the logs named."""

    usage_keys: dict[tuple, set[str]] = field(default_factory=dict)
    client_ids: set[str] = field(default_factory=set)


USAGE_FIELDS = ("source", "app_key", "identity", "team", "key_alias", "model", "region", "service")
_WIDTHS = (20, 80, 200, 120, 200, 200, 40, 200)


def _without_team(values) -> tuple:
    return (*values[:3], *values[4:8])


def batch_scope(*, run: IngestRun | None, merged: dict) -> BatchScope:
    """The usage keys (source, app, identity, team, key, model, region, service, day) and the
    OAuth client ids of the batch."""
    scope = BatchScope()
    for key in merged.get("model_usage") or {}:
        values = [str(v).replace("\x00", "")[:w] for v, w in zip(key[:8], _WIDTHS, strict=True)]
        day = str(key[8])[:10]
        scope.usage_keys.setdefault((*_without_team(values), day), set()).add(values[3])
    for g in merged.get("grants") or []:
        if isinstance(g, dict):
            client_id = g.get("client_id", "")
        elif isinstance(g, list | tuple):
            client_id = g[4] if len(g) > 4 else ""
        else:
            client_id = getattr(g, "client_id", "")
        if client_id:
            scope.client_ids.add(str(client_id)[:200])
    if run is not None:
        scope.client_ids |= set(
            OAuthGrant.objects.filter(run=run).values_list("client_id", flat=True)
        )
    return scope


def batch_usage_rows(scope: BatchScope) -> list[dict]:
    """The stored model-usage rows this batch added to (their totals include earlier files)."""
    if not scope.usage_keys:
        return []
    days = sorted({k[-1] for k in scope.usage_keys})
    rows = []
    for r in ModelUsageDay.objects.filter(day__in=days).values(
        *USAGE_FIELDS, "day", "system_id", "requests", "cost"
    ):
        teams = scope.usage_keys.get(
            (*_without_team([r[f] for f in USAGE_FIELDS]), r["day"].isoformat())
        )
        if teams is not None and (r["team"] in teams or "" in teams):
            rows.append(r)
    return rows


def _when(day: dt.date, end: bool = False) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return moment + dt.timedelta(days=1, seconds=-1) if end else moment


def _decided_since(key: str, last_seen: dt.datetime) -> bool:
    """A finding an officer closed is not reopened unless something later than it arrived."""
    closed = (
        Finding.objects.filter(dedupe_key=key[:300])
        .exclude(state__in=Finding.OPEN_STATES)
        .exclude(dismiss_reason__startswith=SUPERSEDED)
        .order_by("-last_seen")
        .first()
    )
    return closed is not None and last_seen <= closed.last_seen


# ---- OAuth ---------------------------------------------------------------------------------


def oauth_severity(*, app_level: str, scope_classes: list[str], active: int) -> tuple[str, int]:
    """(severity, grant risk): the engine's risk of the app's heaviest grant; an app with no
    active grant left is info (there is nothing to revoke)."""
    risk = grant_risk(app_level, scope_classes)
    return (grant_severity(risk) if active else "info"), risk


def _oauth_findings(*, run: IngestRun, client_ids: set[str]) -> list[Finding]:
    """One finding per catalogue AI app with grants in the batch, over all its grants."""
    if not client_ids:
        return []
    app_keys = set(
        OAuthGrant.objects.filter(client_id__in=client_ids)
        .exclude(app_key="")
        .values_list("app_key", flat=True)
    )
    if not app_keys:
        return []
    catalog = {
        a.key: a for a in catalog_apps_current().filter(key__in=app_keys).prefetch_related("hosts")
    }
    apps = {
        a.app_key: a
        for a in DiscoveredApp.objects.select_related("system").filter(
            app_key__in=app_keys, host=""
        )
    }
    blocked = set(blocklist_domains())
    grants_by_app: dict[str, list[OAuthGrant]] = defaultdict(list)
    for g in OAuthGrant.objects.filter(app_key__in=app_keys).order_by("user", "source"):
        grants_by_app[g.app_key].append(g)
    found = []
    for app_key in sorted(app_keys):
        cat: CatalogApp | None = catalog.get(app_key)
        hosts = [h.host for h in cat.hosts.all()] if cat else []
        status = app_status(app=apps.get(app_key), blocked=blocked, hosts=hosts)
        if status == "sanctioned":
            continue  # a sanctioned app's grants show on its system; they need no decision
        grants = grants_by_app[app_key]
        finding = _oauth_upsert(run=run, app_key=app_key, cat=cat, grants=grants, status=status)
        if finding is not None:
            found.append(finding)
    return found


def _oauth_upsert(*, run, app_key: str, cat, grants: list[OAuthGrant], status: str):
    first = min((g.first_granted for g in grants if g.first_granted), default=None)
    moments = [g.last_granted for g in grants if g.last_granted]
    moments += [g.revoked_at for g in grants if g.revoked_at]
    last = max(moments, default=first)
    if first is None or last is None:
        return None
    key = f"oauth_app:{app_key}"
    if _decided_since(key, last):
        return None
    active = [g for g in grants if g.active]
    scopes = sorted({s for g in grants for s in g.scopes})
    classes = sorted({c for g in grants for c in g.scope_classes})
    level = app_risk_score(category=cat.category, risk=cat.risk).level if cat else "medium"
    severity, score = oauth_severity(app_level=level, scope_classes=classes, active=len(active))
    users = sorted({g.user for g in grants if g.user})
    granted = [g.last_granted for g in grants if g.last_granted]
    name = cat.name if cat else grants[0].app_name
    class_words = ", ".join(c.replace("_", " ") for c in classes) or "no listed scopes"
    finding, _ = finding_upsert(
        kind=Finding.Kind.OAUTH_APP,
        dedupe_key=key,
        severity=severity,
        title=f"{name} granted access to corporate data by {len(users)} user(s) "
        f"({len(active)} active grant(s); {class_words})",
        first_seen=first,
        last_seen=last,
        evidence={
            "run": run.pk if run else None,
            "app_names": sorted({g.app_name for g in grants}),
            "client_ids": sorted({g.client_id for g in grants}),
            "sources": sorted({g.source for g in grants}),
            "users": users[:TOP_USERS],
            "distinct_users": len(users),
            "active_users": sorted({g.user for g in active})[:TOP_USERS],
            "active_grants": len(active),
            "revoked_grants": len(grants) - len(active),
            "scopes": scopes,
            "scope_classes": classes,
            "first_grant": first.isoformat(),
            "last_grant": max(granted).isoformat() if granted else None,
            "risk": {"app_level": level, "score": score},
            "data_categories": data_categories_for(classes),
            "status": status,
        },
        run=run,
        app_key=app_key,
        replace=True,
    )
    return finding


# ---- models on a system's or team's traffic -------------------------------------------------


def _model_rows(subject: Q, model: str) -> dict:
    return ModelUsageDay.objects.filter(subject, model=model).aggregate(
        requests=Sum("requests"),
        tokens_in=Sum("input_tokens"),
        tokens_out=Sum("output_tokens"),
        cost=Sum("cost"),
        users=Count("identity", distinct=True),
        first=Min("first_seen"),
        last=Max("last_seen"),
    )


def _model_finding(
    *,
    run,
    kind: str,
    key: str,
    severity: str,
    title: str,
    subject: Q,
    model: str,
    extra: dict,
    system: AISystem | None = None,
    principal: str = "",
) -> Finding | None:
    agg = _model_rows(subject, model)
    if not agg["requests"] or _decided_since(key, agg["last"]):
        return None
    finding, _ = finding_upsert(
        kind=kind,
        dedupe_key=key,
        severity=severity,
        title=title,
        first_seen=agg["first"],
        last_seen=agg["last"],
        evidence={
            "run": run.pk if run else None,
            "model": model,
            "requests": agg["requests"],
            "input_tokens": agg["tokens_in"] or 0,
            "output_tokens": agg["tokens_out"] or 0,
            "cost": str(agg["cost"] or 0),
            "distinct_users": agg["users"],
            **extra,
        },
        run=run,
        principal=principal[:300],
        replace=True,
        system=system,
    )
    return finding


def _model_findings(*, run, rows: list[dict]) -> list[Finding]:
    """UNLISTED_MODEL on a system not sanctioned (for a sanctioned one a new model is drift,
    which proposes adding it); MODEL_NOT_ALLOWED outside a system's, team's or key's allowlist."""
    by_system: dict[int, set[str]] = defaultdict(set)
    by_team: dict[str, set[str]] = defaultdict(set)
    by_key: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if not r["model"]:
            continue
        if r["system_id"]:
            by_system[r["system_id"]].add(r["model"])
        if r["team"]:
            by_team[r["team"]].add(r["model"])
        if r["key_alias"]:
            by_key[r["key_alias"]].add(r["model"])
    found: list[Finding] = []
    systems = AISystem.objects.in_bulk(list(by_system))
    for pk, models in sorted(by_system.items()):
        system = systems.get(pk)
        if system is None:
            continue
        subject = Q(system=system)
        for model in sorted(models):
            listed = model_matches(model, system.models_used)
            if not listed and system.sanction_status != AISystem.SanctionStatus.SANCTIONED:
                f = _model_finding(
                    run=run,
                    kind=Finding.Kind.UNLISTED_MODEL,
                    key=f"unlisted_model:{pk}:{model.lower()}",
                    severity="low",
                    title=f"{system.name} calls {model}, which its record does not list",
                    subject=subject,
                    model=model,
                    extra={"system": pk, "models_used": system.models_used},
                    system=system,
                )
                found += [f] if f else []
            if system.model_allowlist and not model_matches(model, system.model_allowlist):
                f = _model_finding(
                    run=run,
                    kind=Finding.Kind.MODEL_NOT_ALLOWED,
                    key=f"model_not_allowed:system:{pk}:{model.lower()}",
                    severity="medium",
                    title=f"{system.name} calls {model}, outside its model allowlist",
                    subject=subject,
                    model=model,
                    extra={"system": pk, "allowlist": system.model_allowlist, "scope": "system"},
                    system=system,
                )
                found += [f] if f else []
    budgets = {
        (b.scope, b.name): b
        for b in UsageBudget.objects.exclude(model_allowlist=[]).filter(
            name__in=set(by_team) | set(by_key)
        )
    }
    for scope, groups, column in (
        (UsageBudget.Scope.TEAM, by_team, "team"),
        (UsageBudget.Scope.KEY, by_key, "key_alias"),
    ):
        for name, models in sorted(groups.items()):
            budget = budgets.get((scope, name))
            if budget is None:
                continue
            for model in sorted(models):
                if model_matches(model, budget.model_allowlist):
                    continue
                word = "Team" if scope == UsageBudget.Scope.TEAM else "Key"
                f = _model_finding(
                    run=run,
                    kind=Finding.Kind.MODEL_NOT_ALLOWED,
                    key=f"model_not_allowed:{scope}:{name}:{model.lower()}",
                    severity="medium",
                    title=f"{word} {name} calls {model}, outside its model allowlist",
                    subject=Q(**{column: name}),
                    model=model,
                    extra={"scope": scope, "name": name, "allowlist": budget.model_allowlist},
                    principal=name,
                )
                found += [f] if f else []
    return found


# ---- spend spikes ---------------------------------------------------------------------------


def robust_z(value: float, baseline: list[float]) -> float:
    """Iglewicz-Hoaglin modified z-score: 0.6745 (x - median) / MAD; with a MAD of zero, the
    mean absolute deviation × 1.253314 stands in, and a flat baseline makes any rise infinite."""
    median = statistics.median(baseline)
    deviations = [abs(b - median) for b in baseline]
    mad = statistics.median(deviations)
    if mad:
        return 0.6745 * (value - median) / mad
    mean_ad = sum(deviations) / len(deviations)
    if mean_ad:
        return (value - median) / (1.253314 * mean_ad)
    return float("inf") if value > median else 0.0


def _daily_spend(
    column: str, subjects: set, start: dt.date, end: dt.date
) -> dict[Any, dict[dt.date, Decimal]]:
    """Spend per subject and day in one query, for every subject of one kind (team, system)."""
    out: dict[Any, dict[dt.date, Decimal]] = defaultdict(dict)
    for r in (
        ModelUsageDay.objects.filter(**{f"{column}__in": subjects}, day__gte=start, day__lte=end)
        .values(column, "day")
        .annotate(spend=Sum("cost"))
        .order_by()
    ):
        out[r[column]][r["day"]] = Decimal(r["spend"] or 0)
    return out


def _spike_judge(
    day: dt.date, spend: dict[dt.date, Decimal], first_use: dt.date
) -> tuple[bool, float, float, int]:
    """(spike, z, baseline median, baseline days) of one day against the 28 before it."""
    window = [day - dt.timedelta(days=i) for i in range(1, SPIKE_WINDOW_DAYS + 1)]
    base_days = [d for d in window if d >= first_use]
    today = spend.get(day, Decimal(0))
    if len(base_days) < SPIKE_MIN_BASELINE_DAYS or today < SPIKE_MIN_SPEND:
        return False, 0.0, 0.0, len(base_days)
    baseline = [float(spend.get(d, 0)) for d in base_days]
    z = robust_z(float(today), baseline)
    return z > SPIKE_Z, z, statistics.median(baseline), len(base_days)


def _spike_kind(
    *, run, column: str, touched: dict[Any, set[dt.date]], label, key_of, system_of
) -> list[Finding]:
    """Each touched day, and the 28 after it (their baselines changed), judged again for every
    subject of one kind; a spike later files undid is closed as superseded."""
    if not touched:
        return []
    start = min(min(d) for d in touched.values()) - dt.timedelta(days=SPIKE_WINDOW_DAYS)
    end = max(max(d) for d in touched.values()) + dt.timedelta(days=SPIKE_WINDOW_DAYS)
    spend = _daily_spend(column, set(touched), start, end)
    first_use = dict(
        ModelUsageDay.objects.filter(**{f"{column}__in": set(touched)})
        .values(column)
        .annotate(d=Min("day"))
        .values_list(column, "d")
        .order_by()
    )
    prefixes = [f"spend_spike:{key_of(s)}:" for s in touched]
    open_by_key = {
        f.dedupe_key: f
        for f in Finding.objects.filter(
            kind=Finding.Kind.SPEND_SPIKE, state__in=Finding.OPEN_STATES
        ).only("pk", "dedupe_key", "state")
        if any(f.dedupe_key.startswith(p) for p in prefixes)
    }
    found = []
    for subject, days in sorted(touched.items(), key=lambda kv: str(kv[0])):
        daily = spend.get(subject, {})
        lo = min(days)
        for day in sorted(d for d in daily if d >= lo):
            key = f"spend_spike:{key_of(subject)}:{day.isoformat()}"
            spike, z, median, base_days = _spike_judge(day, daily, first_use[subject])
            if not spike:
                if key in open_by_key:
                    findings_supersede(
                        [open_by_key[key]], why="the stored spend no longer makes it a spike."
                    )
                continue
            if _decided_since(key, _when(day, end=True)):
                continue
            today = daily[day]
            name = label(subject)
            finding, _ = finding_upsert(
                kind=Finding.Kind.SPEND_SPIKE,
                dedupe_key=key,
                severity="high"
                if today >= 10 * max(Decimal(str(median)), SPIKE_MIN_SPEND)
                else "medium",
                title=f"Spend spike: {name} spent {today:.2f} USD on {day.isoformat()} "
                f"(median {median:.2f} over the {base_days} days before)",
                first_seen=_when(day),
                last_seen=_when(day, end=True),
                evidence={
                    "run": run.pk if run else None,
                    "subject": name,
                    "day": day.isoformat(),
                    "spend": str(today.quantize(Decimal("0.01"))),
                    "baseline_median": round(median, 2),
                    "baseline_days": base_days,
                    "z": None if z == float("inf") else round(z, 2),
                    "z_threshold": SPIKE_Z,
                    "min_spend": str(SPIKE_MIN_SPEND),
                },
                run=run,
                principal=name[:300],
                replace=True,
                system=system_of(subject),
            )
            found.append(finding)
    return found


def _spike_findings(*, run, rows: list[dict]) -> list[Finding]:
    by_team: dict[str, set[dt.date]] = defaultdict(set)
    by_system: dict[int, set[dt.date]] = defaultdict(set)
    for r in rows:
        if r["team"]:
            by_team[r["team"]].add(r["day"])
        if r["system_id"]:
            by_system[r["system_id"]].add(r["day"])
    systems = AISystem.objects.in_bulk(list(by_system))
    found = _spike_kind(
        run=run,
        column="team",
        touched=by_team,
        label=lambda team: f"team {team}",
        key_of=lambda team: f"team:{team}",
        system_of=lambda _team: None,
    )
    found += _spike_kind(
        run=run,
        column="system_id",
        touched={pk: days for pk, days in by_system.items() if pk in systems},
        label=lambda pk: systems[pk].name,
        key_of=lambda pk: f"system:{pk}",
        system_of=lambda pk: systems[pk],
    )
    return found


# ---- shared keys ----------------------------------------------------------------------------


def _shared_key_findings(*, run, rows: list[dict]) -> list[Finding]:
    """A gateway key used by more than one team in one calendar month: whoever holds it, its
    spend lands on one. A key handed from one team to another in a later month is not shared."""
    aliases = sorted({r["key_alias"] for r in rows if r["key_alias"] and r["team"]})
    found = []
    for alias in aliases:
        by_month: dict[dt.date, list[dict]] = defaultdict(list)
        for r in (
            ModelUsageDay.objects.filter(key_alias=alias)
            .exclude(team="")
            .annotate(month=TruncMonth("day"))
            .values("month", "team")
            .annotate(
                requests=Sum("requests"),
                cost=Sum("cost"),
                first=Min("first_seen"),
                last=Max("last_seen"),
                users=Count("identity", distinct=True),
            )
            .order_by("month", "team")
        ):
            by_month[r["month"]].append(r)
        shared = {m: teams for m, teams in by_month.items() if len(teams) > 1}
        if not shared:
            continue
        every = [t for teams in shared.values() for t in teams]
        names = sorted({t["team"] for t in every})
        first = min(t["first"] for t in every)
        last = max(t["last"] for t in every)
        key = f"shared_key:{alias}"
        if _decided_since(key, last):
            continue
        finding, _ = finding_upsert(
            kind=Finding.Kind.SHARED_KEY,
            dedupe_key=key,
            severity="medium",
            title=f"Gateway key {alias} used by {len(names)} teams: " + ", ".join(names),
            first_seen=first,
            last_seen=last,
            evidence={
                "run": run.pk if run else None,
                "key_alias": alias,
                "months": [f"{m:%Y-%m}" for m in sorted(shared)],
                "teams": [
                    {
                        "team": name,
                        "requests": sum(t["requests"] for t in every if t["team"] == name),
                        "cost": str(sum((t["cost"] or 0) for t in every if t["team"] == name)),
                        "first": min(t["first"] for t in every if t["team"] == name).isoformat(),
                        "last": max(t["last"] for t in every if t["team"] == name).isoformat(),
                    }
                    for name in names
                ],
            },
            run=run,
            principal=alias[:300],
            replace=True,
        )
        found.append(finding)
    return found


# ---- the batch ------------------------------------------------------------------------------


def usage_rules_apply(*, run: IngestRun | None, merged: dict) -> list[Finding]:
    """Every OAuth and gateway-usage rule once for the batch; returns the findings it opened or
    refreshed."""
    scope = batch_scope(run=run, merged=merged)
    found = _oauth_findings(run=run, client_ids=scope.client_ids)
    rows = batch_usage_rows(scope)
    if not rows:
        return found
    found += _model_findings(run=run, rows=rows)
    found += _spike_findings(run=run, rows=rows)
    found += _shared_key_findings(run=run, rows=rows)
    touched_budgets = set()
    for r in rows:
        month = month_start(r["day"])
        if r["team"]:
            touched_budgets.add((UsageBudget.Scope.TEAM.value, r["team"], month))
        if r["key_alias"]:
            touched_budgets.add((UsageBudget.Scope.KEY.value, r["key_alias"], month))
    found += budget_alerts(run=run, touched=touched_budgets)
    touched_systems: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in rows:
        if r["system_id"]:
            for name in ("team", "model", "region"):
                touched_systems[r["system_id"]][name].add(r[name])
    found += drift_detect(run=run, touched=touched_systems)
    return found
