"""The audit-trail excerpt for the scope and period, and the whole chain's verification result."""

from django.db.models import Q, QuerySet

from core.audit import audit_verify
from core.models import AuditEntry
from core.selectors import audit_entry_list_between
from evidence.collect.base import PackData

PDF_LIMIT = 400


def scoped_entries(data: PackData) -> QuerySet[AuditEntry]:
    """Entries in the period; for a narrowed scope only those about rows the pack shows."""
    qs = audit_entry_list_between(start=data.scope.start, end=data.scope.end)
    if data.scope.regime or data.scope.system_ids is not None:
        match = Q(pk__in=[])
        for target_type, ids in data.related_targets.items():
            match |= Q(target_type=target_type, target_id__in=list(ids))
        match |= Q(target_type="evidence.evidencepack")
        qs = qs.filter(match)
    return qs


def collect(data: PackData) -> None:
    qs = scoped_entries(data)
    total = qs.count()
    result = audit_verify()
    data.audit = {
        "total": total,
        "entries": list(qs[:PDF_LIMIT]),
        "truncated": total > PDF_LIMIT,
        "limit": PDF_LIMIT,
        "verification": result,
        "scoped": bool(data.scope.regime or data.scope.system_ids is not None),
    }
