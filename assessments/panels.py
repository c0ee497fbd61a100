"""The assessments panel on the inventory system page (interfaces item 1)."""

from __future__ import annotations

from assessments.models import Assessment, VendorChecklist
from assessments.selectors import completeness
from regulations.selectors import checklist_items_for_system, templates_for_system


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


def vendor_panel(*, request, vendor) -> dict | None:
    """Per system of the vendor: its checklist with completeness, or whether it needs one."""
    systems = list(vendor.systems.order_by("name"))
    if not systems:
        return None
    checklists = {
        c.system_id: c
        for c in VendorChecklist.objects.filter(vendor=vendor).prefetch_related("items")
    }
    rows = []
    for system in systems:
        checklist = checklists.get(system.pk)
        if checklist is not None:
            checklist.score = completeness(checklist.items.all())
        rows.append(
            {
                "system": system,
                "checklist": checklist,
                "needed": checklist is None and bool(checklist_items_for_system(system)),
            }
        )
    return {
        "rows": rows,
        "can_checklist": request.user.has_perm("assessments.add_vendorchecklist"),
    }
