"""Read-only gathering of everything a pack shows, from every app's selectors, in a few bulk queries."""

from django.utils import timezone

from core.extensions import app_hooks
from evidence.collect import assessments, audit, discovery, regulations
from evidence.collect.base import PackData, Scope, SystemSection
from inventory.selectors import ai_system_list_by_ids

__all__ = ["PackData", "Scope", "collect"]


def collect(scope: Scope, *, progress=None) -> PackData:
    """Gather each section in turn; sections whose app has no data say so rather than invent any."""
    step = progress or (lambda pct, note: None)
    systems = list(ai_system_list_by_ids(ids=scope.system_ids))
    data = PackData(
        scope=scope,
        generated_at=timezone.now(),
        organisation={},
        regimes=[],
        content_versions=[],
        systems=[SystemSection(system=s, anchor=f"sys-{s.pk}") for s in systems],
    )
    data.add_targets("inventory.aisystem", (s.pk for s in systems))
    data.add_targets("inventory.vendor", {s.vendor_id for s in systems if s.vendor_id})
    step(5, "Classifications, obligations and deadlines")
    regulations.collect(data)
    step(12, "Assessments, checklists and evidence files")
    assessments.collect(data)
    step(18, "Discovery")
    discovery.collect(data)
    step(20, "Other sections")
    for hook in app_hooks("pack_sections"):
        section = hook.target(scope=scope)
        if section:
            data.extra_sections.append(section | {"number": 6 + len(data.extra_sections)})
    step(22, "Audit trail")
    audit.collect(data)
    return data
