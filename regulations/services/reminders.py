"""Reminder e-mails: the schedule comes from regulations.schedule; ReminderSent stops duplicates."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.models import NotificationKind
from core.notifications import absolute_url, recipients
from core.roles import Role
from regulations import schedule
from regulations.models import Deadline, ReminderSent


def reminder_recipients(deadline: Deadline) -> list[str]:
    """The owner (or the system's owner); with nobody named, every compliance officer."""
    owner = deadline.owner or getattr(deadline.system, "owner", None)
    if owner is not None and owner.email:
        return [u.email for u in recipients([owner], NotificationKind.DEADLINE_DUE)]
    users = get_user_model().objects.filter(groups__name=Role.COMPLIANCE_OFFICER, is_active=True)
    return sorted({u.email for u in recipients(users, NotificationKind.DEADLINE_DUE)})


def _subject(deadline: Deadline, slot: str, today: dt.date) -> str:
    if slot.startswith("overdue"):
        return f"[Sightline] OVERDUE since {deadline.due_date}: {deadline.title}"
    days = (deadline.due_date - today).days
    return f"[Sightline] Due in {days} day(s), {deadline.due_date}: {deadline.title}"


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Send every reminder whose time has come and that was not sent before; returns the count."""
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    hour = int(getattr(settings, "SIGHTLINE_REMINDER_HOUR", 9))
    today = now.astimezone(tz).date()
    horizon = today + dt.timedelta(days=max(schedule.REMINDER_DAYS))
    sent = 0
    link = absolute_url(reverse("regulations:deadline-list"))
    open_deadlines = Deadline.objects.filter(
        completed_at__isnull=True, cancelled_at__isnull=True, due_date__lte=horizon
    ).select_related("system", "owner", "system__owner")
    for deadline in open_deadlines:
        for slot in schedule.reminders_due(due=deadline.due_date, now=now, tz=tz, hour=hour):
            for email in reminder_recipients(deadline):
                try:
                    with transaction.atomic():
                        ReminderSent.objects.create(
                            deadline=deadline, slot=slot.slot, recipient=email
                        )
                except IntegrityError:
                    continue
                where = f" ({deadline.system})" if deadline.system_id else ""
                send_mail(
                    _subject(deadline, slot.slot, today),
                    f"{deadline.title}{where}\nDue: {deadline.due_date}\n"
                    f"Regime: {deadline.regime_code.upper() or '-'}  Citation: {deadline.citation or '-'}\n"
                    f"{link}#deadline-{deadline.pk}\n",
                    settings.DEFAULT_FROM_EMAIL,
                    [email],
                )
                sent += 1
    return sent
