"""Per-system panel for the inventory detail page (interfaces item 1): discovered usage and findings."""

from django.db.models import Count, Max, Min, Q, Sum

from discovery.models import DiscoveredApp, Finding, UsageRollup
from discovery.usage_panel import gateway_panel


def system_panel(*, request, system) -> dict | None:
    """Shown only when discovery has something to say about the system."""
    apps = list(DiscoveredApp.objects.filter(system=system))
    keys = Q()
    for app in apps:
        keys |= Q(app_key=app.app_key, host=app.host)
    usage = None
    if apps:
        usage = UsageRollup.objects.filter(keys).aggregate(
            requests=Sum("requests"),
            bytes_up=Sum("bytes_up"),
            users=Count("identity", distinct=True),
            first=Min("first_seen"),
            last=Max("last_seen"),
        )
    findings = list(
        Finding.objects.filter(Q(system=system) | (keys if apps else Q(pk__in=[])))
        .distinct()
        .order_by("-last_seen")[:10]
    )
    gateway = gateway_panel(request=request, system=system)
    if not apps and not findings and gateway is None:
        return None
    return {"discovered_apps": apps, "usage": usage, "findings": findings, "gateway": gateway}
