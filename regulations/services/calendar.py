"""ICS feeds: a secret per-user token (only its hash is stored) and the feed built with icalendar."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from core.access import account_expired
from core.audit import audit_record
from core.roles import is_reader
from regulations.models import CalendarToken, Deadline
from regulations.selectors import deadline_list_for_user


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_token_issue(*, actor) -> str:
    """A new secret replaces any old one, so re-issuing also revokes a leaked URL."""
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.filter(user=actor).delete()
    row = CalendarToken.objects.create(user=actor, token_hash=token_hash(token))
    audit_record(actor=actor, action="calendar_token.issue", target=row, changes={})
    return token


@transaction.atomic
def calendar_token_revoke(*, actor) -> bool:
    deleted, _ = CalendarToken.objects.filter(user=actor).delete()
    if deleted:
        audit_record(
            actor=actor,
            action="calendar_token.revoke",
            target_type="regulations.calendartoken",
            target_id=str(actor.pk),
            target_repr=f"Calendar token of {actor}",
            changes={},
        )
    return bool(deleted)


def calendar_user_for_token(token: str):
    row = (
        CalendarToken.objects.select_related("user")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if row is None or not row.user.is_active or not _may_read(row.user):
        return None
    CalendarToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


def calendar_feed(*, deadlines, name: str, base_url: str = "") -> bytes:
    """All-day VEVENTs with stable UIDs, so calendar clients update rather than duplicate."""
    cal = Calendar()
    cal.add("prodid", "-//Sightline//Deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = timezone.now()
    for deadline in deadlines:
        event = Event()
        event.add("uid", f"deadline-{deadline.pk}@sightline")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.due_date)
        event.add("dtend", deadline.due_date + dt.timedelta(days=1))
        prefix = "[done] " if deadline.done else ""
        regime = f"[{deadline.regime_code.upper()}] " if deadline.regime_code else ""
        event.add("summary", f"{prefix}{regime}{deadline.title}")
        lines = [deadline.title]
        if deadline.system_id:
            lines.append(f"System: {deadline.system}")
        if deadline.citation:
            lines.append(f"Citation: {deadline.citation}")
        if deadline.notes:
            lines.append(deadline.notes)
        event.add("description", "\n".join(lines))
        event.add("status", "CONFIRMED")
        if base_url:
            event.add("url", f"{base_url}?deadline={deadline.pk}")
        cal.add_component(event)
    return cal.to_ical()


def deadlines_for_feed(user) -> list[Deadline]:
    return list(deadline_list_for_user(user).select_related("system"))


def _may_read(user) -> bool:
    """A feed is a read: it stops when the user loses every role or the account's end date passes."""
    return is_reader(user) and not account_expired(user)
