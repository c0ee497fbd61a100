"""Regulations' part of the work inbox: open deadlines I own, overdue or due within 30 days."""

import datetime as dt

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from core.inbox import InboxItem, InboxSection
from regulations.models import Deadline

HORIZON_DAYS = 30


def deadline_list_owned_due(*, user, today: dt.date | None = None) -> QuerySet[Deadline]:
    today = today or timezone.localdate()
    return Deadline.objects.filter(
        owner=user,
        completed_at__isnull=True,
        cancelled_at__isnull=True,
        due_date__lte=today + dt.timedelta(days=HORIZON_DAYS),
    )


def _items(user, limit: int) -> list[InboxItem]:
    today = timezone.localdate()
    deadlines = (
        deadline_list_owned_due(user=user, today=today)
        .select_related("system")
        .only("pk", "title", "due_date", "regime_code", "system__name")
        .order_by("due_date", "pk")[:limit]
    )
    url = reverse("regulations:deadline-list")
    items = []
    for d in deadlines:
        days = (d.due_date - today).days
        when = (
            f"overdue by {-days} day{'s' if days != -1 else ''}"
            if days < 0
            else ("due today" if days == 0 else f"due in {days} day{'s' if days != 1 else ''}")
        )
        where = f" · {d.system.name}" if d.system_id else " · organisation-wide"
        items.append(
            InboxItem(
                title=d.title,
                url=f"{url}?owner={user.pk}#deadline-{d.pk}",
                detail=f"{d.regime_code.upper() or '—'}{where} · {when}",
                due=d.due_date,
                flag="overdue" if days < 0 else "",
            )
        )
    return items


SECTIONS = [
    InboxSection(
        key="deadlines-owned",
        title="My deadlines in the next 30 days",
        count=lambda user: deadline_list_owned_due(user=user).count(),
        items=_items,
        empty="You own no open deadline due in the next 30 days.",
        more_url="/regulations/deadlines/?status=due_30",
        order=60,
    )
]
