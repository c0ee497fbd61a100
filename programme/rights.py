"""People's rights requests: due dates from the content's rules, never from code; audited."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from core.audit import audit_record, create_audited, diff, snapshot, update_audited
from programme.models import ContentVersion, RightsRequest, RightsRule

NEAR_DAYS = 7
_AUDITED = [
    "rule",
    "system",
    "reference",
    "received_on",
    "identity",
    "due_on",
    "extended",
    "extension_reason",
    "responded_on",
    "outcome",
    "notes",
    "handler",
]


def add_period(start: dt.date, period: Mapping[str, int]) -> dt.date:
    """start + {days | business_days | months: N}; business days skip Saturdays and Sundays."""
    if "days" in period:
        return start + dt.timedelta(days=period["days"])
    if "months" in period:
        return start + relativedelta(months=period["months"])
    day, left = start, period["business_days"]
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def due_date(rule: RightsRule, received: dt.date) -> dt.date | None:
    return add_period(received, rule.response) if rule.response else None


def rights_rules() -> QuerySet[RightsRule]:
    content = ContentVersion.objects.filter(kind="rights").order_by("-version", "-pk").first()
    return RightsRule.objects.filter(content=content) if content else RightsRule.objects.none()


@transaction.atomic
def rights_request_create(*, actor, data: Mapping[str, Any]) -> RightsRequest:
    item = RightsRequest(**data)
    if item.received_on and item.received_on > timezone.localdate():
        raise ValidationError({"received_on": "The received date cannot be in the future."})
    item.due_on = due_date(item.rule, item.received_on) if item.received_on else None
    citation = {"citation": [None, item.rule.citation]}
    return create_audited(
        item, actor=actor, action="rights.create", fields=_AUDITED, extra=citation
    )


@transaction.atomic
def rights_request_extend(*, actor, item: RightsRequest, reason: str) -> RightsRequest:
    """Once, when the rule allows it, recorded before the first due date passes."""
    item = RightsRequest.objects.select_for_update().select_related("rule").get(pk=item.pk)
    if not item.rule.extension:
        raise ValidationError(f"{item.rule.citation} allows no extension.")
    if item.extended:
        raise ValidationError("This request was already extended once.")
    if not item.open:
        raise ValidationError("This request has been answered.")
    if item.due_on and timezone.localdate() > item.due_on:
        raise ValidationError("The extension must be noticed before the first due date passes.")
    if not reason.strip():
        raise ValidationError({"extension_reason": "Say why the extension is needed."})
    before = snapshot(item, _AUDITED)
    item.due_on = add_period(item.due_on, item.rule.extension)
    item.extended, item.extension_reason = True, reason.strip()
    item.save()
    audit_record(
        actor=actor,
        action="rights.extend",
        target=item,
        changes=diff(before, snapshot(item, _AUDITED)),
    )
    return item


@transaction.atomic
def rights_request_update(*, actor, item: RightsRequest, data: Mapping[str, Any]) -> RightsRequest:
    """Identity verification, the answer (date and outcome), notes and handler."""
    allowed = {"identity", "responded_on", "outcome", "notes", "handler"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Unknown field."))
    item = RightsRequest.objects.select_for_update().get(pk=item.pk)
    before = snapshot(item, _AUDITED)
    for name, value in data.items():
        setattr(item, name, value)
    if item.responded_on and not item.outcome:
        raise ValidationError({"outcome": "Record the outcome with the answer's date."})
    if item.responded_on and item.responded_on < item.received_on:
        raise ValidationError({"responded_on": "The answer cannot precede the request."})
    update_audited(item, actor=actor, action="rights.update", before=before, fields=_AUDITED)
    return item


def rights_due(*, within_days: int = NEAR_DAYS) -> QuerySet[RightsRequest]:
    """Open requests overdue or due within `within_days`."""
    horizon = timezone.localdate() + dt.timedelta(days=within_days)
    return RightsRequest.objects.filter(responded_on__isnull=True, due_on__lte=horizon)


def rights_summary() -> list[dict]:
    """Per regime and kind: received, open, overdue, answered late, average response days."""
    today = timezone.localdate()
    rows = (
        RightsRequest.objects.values("rule__regime", "rule__code", "rule__title", "rule__citation")
        .annotate(
            received=Count("pk"),
            open=Count("pk", filter=Q(responded_on__isnull=True)),
            overdue=Count("pk", filter=Q(responded_on__isnull=True, due_on__lt=today)),
            late=Count("pk", filter=Q(responded_on__gt=F("due_on"))),
        )
        .order_by("rule__regime", "rule__code")
    )
    answered = {}
    for code, received, responded in RightsRequest.objects.filter(
        responded_on__isnull=False
    ).values_list("rule__code", "received_on", "responded_on"):
        answered.setdefault(code, []).append((responded - received).days)
    result = []
    for row in rows:
        days = answered.get(row["rule__code"], [])
        row["answered"] = len(days)
        row["avg_days"] = round(sum(days) / len(days), 1) if days else None
        row["max_days"] = max(days) if days else None
        result.append(row)
    return result
