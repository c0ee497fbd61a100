"""Reads for the inventory: one filtered QuerySet for HTML, export and API alike."""

from collections.abc import Iterable, Mapping

from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from inventory.filters import AISystemFilter, VendorFilter
from inventory.models import AISystem, Vendor


def ai_system_filterset(*, filters: Mapping | None = None) -> AISystemFilter:
    """The filter form and its QuerySet together, because the list page needs both."""
    qs = AISystem.objects.select_related("vendor", "owner")
    return AISystemFilter(filters or None, queryset=qs)


def ai_system_list(*, filters: Mapping | None = None) -> QuerySet[AISystem]:
    return ai_system_filterset(filters=filters).qs


def ai_system_list_by_ids(*, ids: Iterable[int] | None = None) -> QuerySet[AISystem]:
    """Systems in name order with vendor and owner loaded; None means every system."""
    qs = AISystem.objects.select_related("vendor", "owner").order_by("name", "pk")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs


SEARCH_LIMIT = 20


def ai_system_search(*, query: str, limit: int = SEARCH_LIMIT) -> list[AISystem]:
    """A bounded name lookup, so pickers never load the whole inventory (10k+ systems)."""
    query = query.strip()
    if not query:
        return []
    prefix_first = Case(
        When(name__istartswith=query, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    qs = (
        AISystem.objects.filter(name__icontains=query)
        .select_related("vendor")
        .only("pk", "name", "lifecycle", "sanction_status", "vendor__name")
        .order_by(prefix_first, "name", "pk")
    )
    return list(qs[:limit])


def ai_system_by_name(*, name: str) -> list[AISystem]:
    """Exact name first, then case-insensitive; more than one row means the name is ambiguous."""
    name = name.strip()
    if not name:
        return []
    exact = list(AISystem.objects.filter(name=name).order_by("pk")[:2])
    return exact or list(AISystem.objects.filter(name__iexact=name).order_by("pk")[:2])


def vendor_filterset(*, filters: Mapping | None = None) -> VendorFilter:
    # A per-row subquery counts only the page's vendors; a join grouped every system first.
    systems = (
        AISystem.objects.filter(vendor=OuterRef("pk"))
        .order_by()
        .values("vendor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = Vendor.objects.annotate(system_count=Coalesce(Subquery(systems), 0)).order_by("name", "pk")
    return VendorFilter(filters or None, queryset=qs)


def vendor_list(*, filters: Mapping | None = None) -> QuerySet[Vendor]:
    return vendor_filterset(filters=filters).qs
