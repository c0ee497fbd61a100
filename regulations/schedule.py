"""Date arithmetic for deadlines and reminders, all through dateutil (no hand-written month maths)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil import rrule
from dateutil.relativedelta import relativedelta

REMINDER_DAYS = (30, 7, 1)
PERIOD_RE = re.compile(
    r"every:\s*P?(\d+)\s*(y|yr|year|years|mo|month|months|m|w|week|weeks|d|day|days)\b", re.I
)
WITHIN_RE = re.compile(
    r"within:\s*(\d+)\s*(d|bd|h)\b[^;]*?(substantial[ _-]?modification|substantially modified|modif)",
    re.I,
)
DATE_RE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


def add_period(start: dt.date, *, amount: int, unit: str) -> dt.date:
    """relativedelta clamps month ends: 2024-02-29 + 1y is 2025-02-28, 01-31 + 1mo is 02-28/29."""
    unit = unit.lower()
    if unit in {"y", "yr", "year", "years"}:
        return start + relativedelta(years=amount)
    if unit in {"mo", "month", "months", "m"}:
        return start + relativedelta(months=amount)
    if unit in {"w", "week", "weeks"}:
        return start + relativedelta(weeks=amount)
    return start + relativedelta(days=amount)


def add_business_days(start: dt.date, days: int) -> dt.date:
    """N business days (Mon-Fri) after `start`."""
    rule = rrule.rrule(
        rrule.DAILY,
        dtstart=dt.datetime.combine(start + dt.timedelta(days=1), dt.time()),
        byweekday=(rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR),
        count=days,
    )
    return list(rule)[-1].date()


def parse_period(text: str) -> tuple[int, str] | None:
    """`every:1y`, `every:P3mo`, `every: 12 months` -> (amount, unit)."""
    match = PERIOD_RE.search(text or "")
    if not match:
        return None
    return int(match.group(1)), match.group(2)


def parse_within_modification(text: str) -> tuple[int, str] | None:
    """`within:90d of substantial modification` -> (90, 'd')."""
    match = WITHIN_RE.search(text or "")
    if not match:
        return None
    return int(match.group(1)), match.group(2).lower()


def due_after_event(event_on: dt.date, *, amount: int, unit: str) -> dt.date:
    if unit == "bd":
        return add_business_days(event_on, amount)
    if unit == "h":
        return event_on + relativedelta(days=max(1, -(-amount // 24)))
    return event_on + relativedelta(days=amount)


def next_occurrence(recurrence: str, *, anchor: dt.date, after: dt.date) -> dt.date | None:
    """Next date strictly after `after` for an rrule string or an `every:P` period from `anchor`."""
    period = parse_period(recurrence)
    if period is not None:
        amount, unit = period
        step = 1
        candidate = add_period(anchor, amount=amount, unit=unit)
        while candidate <= after:
            step += 1
            candidate = add_period(anchor, amount=amount * step, unit=unit)
        return candidate
    try:
        rule = rrule.rrulestr(recurrence, dtstart=dt.datetime.combine(anchor, dt.time()))
    except (ValueError, TypeError):
        return None
    found = rule.after(dt.datetime.combine(after, dt.time()), inc=False)
    return found.date() if found else None


@dataclass(frozen=True)
class ReminderSlot:
    slot: str
    at: dt.datetime


def reminder_schedule(
    *, due: dt.date, tz: dt.tzinfo, hour: int = 9, overdue_until: dt.date | None = None
) -> list[ReminderSlot]:
    """Reminders at `hour` local time 30, 7 and 1 day(s) before, then weekly once overdue.

    Wall-clock arithmetic happens on dates (relativedelta), and the local time is attached per date,
    so a DST change between the reminder and the deadline never shifts the reminder off 09:00.
    """
    slots = []
    for days in REMINDER_DAYS:
        day = due - relativedelta(days=days)
        slots.append(ReminderSlot(f"before-{days}", dt.datetime.combine(day, dt.time(hour), tz)))
    if overdue_until is not None and overdue_until > due:
        weekly = rrule.rrule(
            rrule.WEEKLY,
            dtstart=dt.datetime.combine(due + relativedelta(days=1), dt.time()),
            until=dt.datetime.combine(overdue_until, dt.time()),
        )
        for occurrence in weekly:
            day = occurrence.date()
            slots.append(
                ReminderSlot(
                    f"overdue-{day.isoformat()}", dt.datetime.combine(day, dt.time(hour), tz)
                )
            )
    return slots


def reminders_due(
    *, due: dt.date, now: dt.datetime, tz: dt.tzinfo, hour: int = 9
) -> list[ReminderSlot]:
    """The one slot to send now, if any: the latest slot already reached (never a backlog of stale ones)."""
    local_today = now.astimezone(tz).date()
    slots = [
        s
        for s in reminder_schedule(due=due, tz=tz, hour=hour, overdue_until=local_today)
        if s.at <= now
    ]
    return slots[-1:] if slots else []


def statutory_dates(text: str) -> list[dt.date]:
    out = []
    for raw in DATE_RE.findall(text or ""):
        try:
            out.append(dt.date.fromisoformat(raw))
        except ValueError:
            continue
    return out


def to_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
