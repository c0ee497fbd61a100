"""Discovery in the period: apps seen, sanctioned or not, usage per app, findings incl. LLMjacking.

Apps come from the discovered-AI page's own selector, so the pack calls an app what the page does.
"""

from discovery.models import Finding
from discovery.selectors import (
    app_status_label,
    discovered_app_rows,
    discovered_app_totals_between,
    finding_list_between,
)
from evidence.collect.base import PackData

CHART_APPS = 12
FINDINGS_LIMIT = 5000


def collect(data: PackData) -> None:
    scope = data.scope
    totals = discovered_app_totals_between(day_from=scope.period_from, day_to=scope.period_to)
    apps = []
    for row in discovered_app_rows(totals=totals):
        discovered_at = row["discovered_at"]
        apps.append(
            {
                "name": row["name"],
                "key": row["app_key"] or f"host:{row['host']}",
                "requests": row["requests"],
                "bytes_up": row["bytes_up"],
                "identities": row["users"],
                "first_seen": discovered_at or row["first_seen"],
                "new_in_period": bool(discovered_at and scope.start <= discovered_at < scope.end),
                "status": row["status"],
                "status_label": app_status_label(row["status"]),
                "system": row["system"].name if row["system"] else "",
            }
        )
    system_ids = None
    if scope.system_ids is not None:
        system_ids = [s.system.pk for s in data.systems]
    findings = list(
        finding_list_between(start=scope.start, end=scope.end, system_ids=system_ids)[
            :FINDINGS_LIMIT
        ]
    )
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
