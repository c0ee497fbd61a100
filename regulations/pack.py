"""Regulations' log-coverage section of an evidence pack (AppConfig.pack_sections): for each
system in scope whose traffic passes a gateway or emits traces (a gateway name recorded, or
usage logs ingested), the days with and without usage logs over the retention period the
content states, as of the pack's last day. Systems with a log-keeping duty but no such source
are named once, not drawn as a year of empty days."""

from core.csvio import csv_bytes
from inventory.selectors import ai_system_list_by_ids
from regulations.log_coverage import log_coverage


def pack_section(*, scope) -> dict | None:
    rows, unlinked = [], []
    for system in ai_system_list_by_ids(ids=scope.system_ids):
        cov = log_coverage(system=system, on=scope.period_to)
        if cov.logged_days or (cov.duties and system.gateway_aliases):
            rows.append({"system": system, "cov": cov})
        elif cov.duties:
            unlinked.append({"system": system, "cov": cov})
    if not rows and not unlinked:
        return None
    csv = csv_bytes(
        ["system", "duties", "retention", "window_from", "window_to", "days_counted",
         "days_with_logs", "days_without_logs", "gaps"],
        (
            [r["system"].name,
             " ".join(f"{d.regime}:{d.citation}" for d in r["cov"].duties),
             " ".join(d.retention for d in r["cov"].duties),
             r["cov"].window_from or "", r["cov"].window_to, r["cov"].days_total,
             r["cov"].days_with_logs, r["cov"].days_without_logs,
             " ".join(f"{a}..{b}" for a, b in r["cov"].gaps)]
            for r in rows
        ),
    )  # fmt: skip
    return {
        "key": "log-coverage",
        "anchor": "log-coverage",
        "title": "Record-keeping: log coverage",
        "template": "regulations/pdf/log_coverage.html",
        "context": {"rows": rows, "unlinked": unlinked},
        "files": {"regulations/log-coverage.csv": csv} if rows else {},
    }
