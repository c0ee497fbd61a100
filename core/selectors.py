"""Reads for core's pages."""

import datetime as dt
from collections.abc import Mapping

from django.db.models import QuerySet

from core.filters import AuditEntryFilter
from core.models import AuditEntry


def audit_entry_filter(*, filters: Mapping[str, str] | None = None) -> AuditEntryFilter:
    """The bound FilterSet: its form draws the filters, its `qs` lists the entries."""
    return AuditEntryFilter(filters or {}, queryset=AuditEntry.objects.order_by("-seq"))


def audit_entry_list(*, filters: Mapping[str, str] | None = None) -> QuerySet[AuditEntry]:
    return audit_entry_filter(filters=filters).qs


def audit_entry_list_between(*, start: dt.datetime, end: dt.datetime) -> QuerySet[AuditEntry]:
    """Entries from `start` up to (not including) `end`, oldest first: an evidence pack's period."""
    return AuditEntry.objects.filter(created_at__gte=start, created_at__lt=end).order_by("seq")
