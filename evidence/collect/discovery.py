"""Discovery in the period: apps seen, sanctioned vs unsanctioned, usage per app, findings incl. LLMjacking."""

from django.db.models import Count, Max, Min, Q, Sum

from discovery.models import CatalogApp, DiscoveredApp, Finding, UsageRollup
from evidence.collect.base import PackData
from inventory.models import AISystem

CHART_APPS = 12


def collect(data: PackData) -> None:
    scope = data.scope
    usage = list(
        UsageRollup.objects.filter(day__gte=scope.period_from, day__lte=scope.period_to)
        .values("app_key", "host")
        .annotate(
            requests=Sum("requests"),
            bytes_up=Sum("bytes_up"),
            identities=Count("identity", distinct=True),
            first=Min("first_seen"),
            last=Max("last_seen"),
        )
        .order_by("-requests")
    )
    names = {}
    for app in CatalogApp.objects.order_by("version__loaded_at").values("key", "name", "vendor"):
        names[app["key"]] = app["name"]
    discovered = {(d.app_key, d.host): d for d in DiscoveredApp.objects.select_related("system")}
    apps = []
    for row in usage:
        found = discovered.get((row["app_key"], row["host"]))
        system = found.system if found else None
        status = _status(system)
        apps.append(
            {
                "name": names.get(row["app_key"])
                or (found.name if found else "")
                or row["host"]
                or row["app_key"],
                "key": row["app_key"] or f"host:{row['host']}",
                "requests": row["requests"] or 0,
                "bytes_up": row["bytes_up"] or 0,
                "identities": row["identities"],
                "first_seen": found.first_seen if found else row["first"],
                "new_in_period": bool(found and scope.start <= found.first_seen < scope.end),
                "status": status,
                "system": system.name if system else "",
            }
        )
    findings_qs = (
        Finding.objects.filter(first_seen__lt=scope.end, last_seen__gte=scope.start)
        .select_related("system")
        .order_by("-severity", "-last_seen", "pk")
    )
    system_ids = {s.system.pk for s in data.systems}
    if data.scope.system_ids is not None:
        # A pack for chosen systems shows their findings plus shadow AI, which belongs to no system.
        findings_qs = findings_qs.filter(Q(system_id__in=system_ids) | Q(system__isnull=True))
    findings = list(findings_qs[:5000])
    data.add_targets("discovery.finding", (f.pk for f in findings))
    open_f = [f for f in findings if f.is_open]
    closed_f = [f for f in findings if not f.is_open]
    data.discovery = {
        "apps": apps,
        "sanctioned": sum(1 for a in apps if a["status"] == "sanctioned"),
        "unsanctioned": sum(1 for a in apps if a["status"] != "sanctioned"),
        "new_in_period": sum(1 for a in apps if a["new_in_period"]),
        "chart": apps[:CHART_APPS],
        "open": open_f,
        "closed": closed_f,
        "llmjacking": [f for f in findings if f.kind == Finding.Kind.LLMJACKING],
        "findings": findings,
    }
    if not apps and not findings:
        data.notes["discovery"] = (
            "No AI usage was ingested for this period and no discovery findings fall within it."
        )


def _status(system: AISystem | None) -> str:
    if system is None:
        return "unsanctioned"
    return system.sanction_status
