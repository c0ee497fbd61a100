"""Recurrence in words ("every 3 years"), never the stored grammar ("every:P3Y", an rrule)."""

from __future__ import annotations

import re

_PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
_UNITS = ("year", "month", "week", "day")
_FREQ = {"YEARLY": "year", "MONTHLY": "month", "WEEKLY": "week", "DAILY": "day"}


def _every(amount: int, unit: str) -> str:
    return f"every {unit}" if amount == 1 else f"every {amount} {unit}s"


def _period_words(period: str) -> str | None:
    match = _PERIOD.match(period.strip().upper())
    if not match or not any(match.groups()):
        return None
    parts = [(int(n), unit) for n, unit in zip(match.groups(), _UNITS, strict=True) if n]
    if len(parts) == 1:
        return _every(*parts[0])
    return "every " + " and ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts)


def _rrule_words(text: str) -> str | None:
    fields = {}
    for line in text.replace(";", "\n").splitlines():
        key, _, value = line.partition("=")
        key = key.strip().upper().removeprefix("RRULE:")
        if key in {"FREQ", "INTERVAL"}:
            fields[key] = value.strip().upper()
    unit = _FREQ.get(fields.get("FREQ", ""))
    if not unit:
        return None
    interval = fields.get("INTERVAL", "1")
    return _every(int(interval) if interval.isdigit() else 1, unit)


def recurrence_words(value: str | None) -> str:
    """'every:P3Y' -> 'every 3 years'; 'every:P1Y from 2028-04-01' -> 'every year from 2028-04-01';
    'DTSTART:20260401\\nRRULE:FREQ=MONTHLY;INTERVAL=3' -> 'every 3 months'; '' -> ''."""
    value = (value or "").strip()
    if not value:
        return ""
    if value.startswith("every:"):
        period, _, start = value.removeprefix("every:").partition(" from ")
        words = _period_words(period)
        if words:
            return f"{words} from {start.strip()}" if start.strip() else words
    elif "FREQ=" in value.upper():
        words = _rrule_words(value)
        if words:
            return words
    return "repeats"
