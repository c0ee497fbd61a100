"""Reads for the inventory: one filtered QuerySet for HTML, export and API alike."""

from collections.abc import Mapping

from django.db.models import Count, QuerySet

from inventory.filters import AISystemFilter, VendorFilter
from inventory.models import AISystem, Vendor


def ai_system_filterset(*, filters: Mapping | None = None) -> AISystemFilter:
    """The filter form and its QuerySet together, because the list page needs both."""
    qs = AISystem.objects.select_related("vendor", "owner")
    return AISystemFilter(filters or None, queryset=qs)


def ai_system_list(*, filters: Mapping | None = None) -> QuerySet[AISystem]:
    return ai_system_filterset(filters=filters).qs


def vendor_filterset(*, filters: Mapping | None = None) -> VendorFilter:
    qs = Vendor.objects.annotate(system_count=Count("systems")).order_by("name", "pk")
    return VendorFilter(filters or None, queryset=qs)


def vendor_list(*, filters: Mapping | None = None) -> QuerySet[Vendor]:
    return vendor_filterset(filters=filters).qs
