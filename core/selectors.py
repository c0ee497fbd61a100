"""Reads for core's pages."""

from collections.abc import Mapping

from django.db.models import QuerySet

from core.filters import AuditEntryFilter
from core.models import AuditEntry


def audit_entry_filter(*, filters: Mapping[str, str] | None = None) -> AuditEntryFilter:
    """The bound FilterSet: its form draws the filters, its `qs` lists the entries."""
    return AuditEntryFilter(filters or {}, queryset=AuditEntry.objects.order_by("-seq"))


def audit_entry_list(*, filters: Mapping[str, str] | None = None) -> QuerySet[AuditEntry]:
    return audit_entry_filter(filters=filters).qs
