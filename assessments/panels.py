"""The assessments panel on the inventory system page (interfaces item 1)."""

from __future__ import annotations

from assessments.models import Assessment, VendorChecklist
from assessments.selectors import completeness
from regulations.selectors import templates_for_system


def system_panel(*, request, system) -> dict | None:
    """Templates the classification calls for, the system's assessments and its vendor checklist."""
    assessments = list(
        Assessment.objects.filter(system=system)
        .select_related("template__content_version__regime", "submitted_by")
        .defer("template__data", "template__content_version__data")
    )
    started = {a.template_id: a for a in assessments}
    offers = [{"template": t, "existing": started.get(t.pk)} for t in templates_for_system(system)]
    offered = {o["template"].pk for o in offers}
    others = [a for a in assessments if a.template_id not in offered]
    checklists = list(
        VendorChecklist.objects.filter(system=system)
        .select_related("vendor")
        .prefetch_related("items")
    )
    for checklist in checklists:
        checklist.score = completeness(checklist.items.all())
    return {
        "offers": offers,
        "assessments": assessments,
        "others": others,
        "checklists": checklists,
        "can_start": request.user.has_perm("assessments.add_assessment"),
        "can_checklist": request.user.has_perm("assessments.add_vendorchecklist")
        and system.vendor_id is not None
        and not any(c.vendor_id == system.vendor_id for c in checklists),
    }
