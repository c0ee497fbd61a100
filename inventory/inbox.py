"""Inventory's part of the work inbox: systems in intake that still lack the facts classification
needs (the "Needs facts" state of AISystem)."""

from django.db.models import Q, QuerySet
from django.urls import reverse

from core.inbox import InboxItem, selector_section
from inventory.models import AISystem


def ai_system_needing_facts(*, user) -> QuerySet[AISystem]:
    """Systems I own that need facts, and unowned ones for anyone who may edit the inventory."""
    mine = Q(owner=user)
    if user.has_perm("inventory.change_aisystem"):
        mine |= Q(owner__isnull=True)
    return (
        AISystem.objects.filter(mine)
        .filter(AISystem.needs_facts_q())
        .exclude(lifecycle=AISystem.Lifecycle.RETIRED)
    )


def _missing(system: AISystem) -> str:
    return "Missing: " + ", ".join(system.missing_facts())


def _item(s: AISystem) -> InboxItem:
    return InboxItem(
        title=s.name,
        url=reverse("inventory:system-intake", kwargs={"pk": s.pk}),
        detail=_missing(s),
        flag="needs facts",
    )


_SHOWN_FIELDS = (
    "pk",
    "name",
    "intake_pending",
    "owner_id",
    "description",
    "jurisdictions",
    "domains",
)

SECTIONS = [
    selector_section(
        key="systems-needing-facts",
        title="Systems needing facts",
        rows=ai_system_needing_facts,
        listed=lambda qs: qs.only(*_SHOWN_FIELDS, "created_at").order_by("-created_at", "-pk"),
        item=_item,
        empty="Every system you own has the facts classification needs.",
        order=30,
    )
]
