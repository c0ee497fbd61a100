"""Fast timestamp helpers: the hot path avoids strptime by caching day starts."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from functools import lru_cache

MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


@lru_cache(maxsize=4096)
def day_epoch(year: int, month: int, day: int) -> int:
    """Epoch seconds of 00:00 UTC on the given day (raises ValueError for impossible dates)."""
    return calendar.timegm(date(year, month, day).timetuple())


def hms(text: str) -> float:
    """'10:15:01' or '10:15:01.123' to seconds since midnight."""
    h, m, s = text.split(":")
    hi, mi = int(h), int(m)
    sf = float(s)
    if not (0 <= hi < 24 and 0 <= mi < 60 and 0 <= sf < 61):
        raise ValueError(text)
    return hi * 3600 + mi * 60 + sf


def parse_clf(text: str) -> float:
    """'06/May/2024:12:15:01 +0200' (CLF, local time with offset) to UTC epoch."""
    stamp, _, offset = text.partition(" ")
    d, mon, rest = stamp.split("/", 2)
    year, clock = rest.split(":", 1)
    ts = day_epoch(int(year), MONTHS[mon.lower()], int(d)) + hms(clock)
    if offset:
        sign = -1 if offset[0] == "-" else 1
        off = offset.lstrip("+-")
        if len(off) != 4 or not off.isdigit():
            raise ValueError(offset)
        ts -= sign * (int(off[:2]) * 3600 + int(off[2:]) * 60)
    return ts


def parse_ymd_hms(d: str, t: str) -> float:
    """'2024-05-06' + '10:15:01' (W3C, GMT) to epoch."""
    y, m, dd = d.split("-")
    return day_epoch(int(y), int(m), int(dd)) + hms(t)


def parse_ctime(text: str) -> float:
    """'Mon May 06 10:15:01 2024' (Zscaler %s{time}, GMT) to epoch."""
    parts = text.split()
    if len(parts) != 5:
        raise ValueError(text)
    _, mon, d, clock, year = parts
    return day_epoch(int(year), MONTHS[mon.lower()], int(d)) + hms(clock)


def parse_iso(text: str) -> float:
    """ISO 8601 ('2024-05-06T10:15:01Z', offsets allowed; naive means UTC) to epoch."""
    dt = datetime.fromisoformat(text.strip())
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def parse_bind_date(d: str, t: str) -> float:
    """'06-May-2024' + '10:15:01.123' (BIND print-time, taken as UTC) to epoch."""
    dd, mon, y = d.split("-")
    return day_epoch(int(y), MONTHS[mon.lower()], int(dd)) + hms(t)


def parse_syslog(mon: str, d: str, t: str, ref: date) -> float:
    """Syslog 'May  6 10:15:02' has no year: use the reference (file) date's year, minus one
    when the month lies after the reference month (December lines read in January)."""
    month = MONTHS[mon.lower()]
    year = ref.year - 1 if month > ref.month else ref.year
    return day_epoch(year, month, int(d)) + hms(t)


@lru_cache(maxsize=4096)
def day_iso(day_number: int) -> str:
    """ISO date for an epoch day number (int(ts) // 86400)."""
    return datetime.fromtimestamp(day_number * 86400, tz=UTC).date().isoformat()
