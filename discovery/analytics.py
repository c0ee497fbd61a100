"""Reads for the discovery overview and the per-app page, from the usage summary tables.

Every figure comes from AppUsageTotal, AppUsageDay, AppIdentity or UsageRollup in a fixed
number of queries whatever the number of apps, days or users; days without traffic are filled
in as zero here, so charts and tables show gaps as gaps.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Sum

from discovery.models import AppIdentity, AppUsageDay, UsageRollup
from discovery.risk import app_risk_score
from discovery.selectors import app_usage_daily, catalog_apps_by_key, discovered_app_rows
from discovery.templatetags.discovery_tags import category_label

PERIODS = (7, 30, 90)
STACKS = {"app": "App", "category": "Category"}
TOP_SERIES = 8  # apps or categories drawn as their own colour; the rest is "Other"
TOP_ROWS = 10
TOP_RISKY = 6
NEW_APP_DAYS = 7
# Statuses grouped for the share chart: sanctioned, blocked, or neither (needs a decision).
SHARE_GROUPS = {
    "sanctioned": "Sanctioned",
    "blocked": "Blocked",
    "unsanctioned": "Unsanctioned",
    "under_review": "Unsanctioned",
    "unreviewed": "Unsanctioned",
}


def _days(day_from: dt.date, day_to: dt.date) -> list[dt.date]:
    return [day_from + dt.timedelta(days=i) for i in range((day_to - day_from).days + 1)]


@dataclass(frozen=True)
class Period:
    day_from: dt.date
    day_to: dt.date
    last_traffic: dt.date | None  # the latest day any log recorded traffic

    @property
    def days(self) -> list[dt.date]:
        return _days(self.day_from, self.day_to)

    @property
    def length(self) -> int:
        return (self.day_to - self.day_from).days + 1


def overview_period(*, days: int, today: dt.date) -> Period:
    """The `days` days to the latest day with traffic (or today when there is none).

    Logs arrive in batches, often days late: a window that ends today would show an empty
    dashboard until the next upload; the page says which day the data ends on instead.
    """
    last = AppUsageDay.objects.aggregate(last=Max("day"))["last"]
    day_to = min(last, today) if last else today
    return Period(day_from=day_to - dt.timedelta(days=days - 1), day_to=day_to, last_traffic=last)


def _subject(app_key: str, host: str) -> str:
    return app_key or f"host:{host}"


def discovery_overview(*, days: int = 30, stack: str = "app", today: dt.date) -> dict:
    """The organisation view: traffic over time, top apps, users and teams, new apps,
    sanctioned share and a risk score per app."""
    if days not in PERIODS:
        days = 30
    if stack not in STACKS:
        stack = "app"
    period = overview_period(days=days, today=today)
    catalog = catalog_apps_by_key()
    apps = {(r["app_key"], r["host"]): r for r in discovered_app_rows(catalog=catalog)}
    for key, row in apps.items():
        row["subject"] = _subject(*key)
        row["risk_score"] = app_risk_score(
            category=row["category"],
            risk=row["risk"],
            known=row["known"],
            category_label=category_label(row["category"]),
        )
        row["period_requests"] = 0
        row["period_users"] = 0
        row["period_bytes_up"] = 0

    # Traffic per app and day in the period: apps × days rows at most.
    per_app_day: dict[tuple[str, str], dict[dt.date, int]] = defaultdict(dict)
    for r in AppUsageDay.objects.filter(day__gte=period.day_from, day__lte=period.day_to).values(
        "app_key", "host", "day", "requests", "bytes_up"
    ):
        key = (r["app_key"], r["host"])
        per_app_day[key][r["day"]] = r["requests"]
        if key in apps:
            apps[key]["period_requests"] += r["requests"]
            apps[key]["period_bytes_up"] += r["bytes_up"]
    for r in (
        AppIdentity.objects.filter(last_day__gte=period.day_from)
        .values("app_key", "host")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = (r["app_key"], r["host"])
        if key in apps:
            apps[key]["period_users"] = r["n"]

    traffic = _traffic(period=period, per_app_day=per_app_day, apps=apps, stack=stack)
    active = [r for r in apps.values() if r["period_requests"]]
    top_apps = sorted(active, key=lambda r: (-r["period_requests"], r["name"]))[:TOP_ROWS]
    new_since = period.day_to - dt.timedelta(days=NEW_APP_DAYS - 1)
    new_apps = sorted(
        (r for r in apps.values() if r["first_seen"] and r["first_seen"].date() >= new_since),
        key=lambda r: r["first_seen"],
        reverse=True,
    )
    share: dict[str, dict] = {}
    for label in dict.fromkeys(SHARE_GROUPS.values()):
        share[label] = {"label": label, "apps": 0, "requests": 0}
    for r in active:
        group = share[SHARE_GROUPS.get(r["status"], "Unsanctioned")]
        group["apps"] += 1
        group["requests"] += r["period_requests"]
    total_requests = sum(r["period_requests"] for r in active)
    for group in share.values():
        group["percent"] = round(100 * group["requests"] / total_requests) if total_requests else 0

    rollups = UsageRollup.objects.filter(day__gte=period.day_from, day__lte=period.day_to)
    top_users = list(
        rollups.exclude(identity="")
        .values("identity", "team")
        .annotate(
            requests=Sum("requests"),
            apps=Count("app_key", distinct=True),
            last=Max("last_seen"),
        )
        .order_by("-requests", "identity")[:TOP_ROWS]
    )
    top_teams = list(
        rollups.exclude(team="")
        .values("team")
        .annotate(
            requests=Sum("requests"),
            users=Count("identity", distinct=True),
            apps=Count("app_key", distinct=True),
        )
        .order_by("-requests", "team")[:TOP_ROWS]
    )
    risky = sorted(active, key=lambda r: (-r["risk_score"].score, -r["period_requests"], r["name"]))
    return {
        "period": period,
        "days": days,
        "stack": stack,
        "traffic": traffic,
        "top_apps": top_apps,
        "top_users": top_users,
        "top_teams": top_teams,
        "new_apps": new_apps,
        "new_since": new_since,
        "share": list(share.values()),
        "share_chart": {
            "labels": [g["label"] for g in share.values()],
            "requests": [g["requests"] for g in share.values()],
        },
        "risky_apps": risky[:TOP_RISKY],
        "totals": {
            "requests": total_requests,
            "apps": len(active),
            "users": AppIdentity.objects.filter(last_day__gte=period.day_from)
            .values("identity")
            .distinct()
            .count(),
        },
    }


def _traffic(
    *,
    period: Period,
    per_app_day: dict[tuple[str, str], dict[dt.date, int]],
    apps: dict[tuple[str, str], dict],
    stack: str,
) -> dict:
    """Requests per day stacked by app or category; every day of the period is a point."""
    series: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for key, by_day in per_app_day.items():
        row = apps.get(key)
        if stack == "category":
            name = _category_name(row["category"] if row else "unknown")
        else:
            name = row["name"] if row else (key[0] or key[1])
        for day, n in by_day.items():
            series[name][day] += n
    ranked = sorted(series, key=lambda s: (-sum(series[s].values()), s))
    shown, rest = ranked[:TOP_SERIES], ranked[TOP_SERIES:]
    days = period.days
    datasets = [{"label": s, "data": [series[s].get(d, 0) for d in days]} for s in shown]
    if rest:
        datasets.append(
            {"label": "Other", "data": [sum(series[s].get(d, 0) for s in rest) for d in days]}
        )
    totals = [sum(ds["data"][i] for ds in datasets) for i in range(len(days))]
    return {
        "labels": [d.isoformat() for d in days],
        "datasets": datasets,
        "totals": totals,
        "rows": [
            {"day": d, "values": [ds["data"][i] for ds in datasets], "total": totals[i]}
            for i, d in enumerate(days)
        ],
    }


def _category_name(category: str) -> str:
    return category_label(category) if category != "unknown" else "Unknown (possible AI)"


def app_usage_series(*, app_key: str, host: str = "", max_days: int = 366) -> dict:
    """Daily requests, users and bytes for one app with every day between its first and last
    day of traffic (the last `max_days` of them): a day without traffic is a zero, not skipped."""
    daily = {r["day"]: r for r in app_usage_daily(app_key=app_key, host=host)}
    if not daily:
        return {"labels": [], "requests": [], "users": [], "rows": [], "days_with_traffic": 0}
    last = max(daily)
    first = max(min(daily), last - dt.timedelta(days=max_days - 1))
    empty = {"requests": 0, "users": 0, "bytes_up": 0, "bytes_down": 0}
    rows = [{"day": d, **daily.get(d, empty)} for d in _days(first, last)]
    return {
        "labels": [r["day"].isoformat() for r in rows],
        "requests": [r["requests"] for r in rows],
        "users": [r["users"] for r in rows],
        "rows": rows,
        "days_with_traffic": len(daily),
        "totals": {
            "requests": sum(r["requests"] for r in daily.values()),
            "bytes_up": sum(r["bytes_up"] or 0 for r in daily.values()),
            "bytes_down": sum(r["bytes_down"] or 0 for r in daily.values()),
        },
    }
