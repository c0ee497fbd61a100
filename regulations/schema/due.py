"""The due grammar of the reference ("How to model this" 4), parsed with dateutil periods."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

# ---------------------------------------------------------------- due grammar (reference "How to model this" 4)

PERIOD_RE = r"P(?=\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?"
DUE_PATTERNS = {
    "date": re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})$"),
    "before": re.compile(r"^before:(?P<anchor>\S.*)$"),
    "within": re.compile(r"^within:(?P<n>\d+)(?P<unit>d|bd|h) of (?P<anchor>\S.*)$"),
    "every": re.compile(rf"^every:(?P<period>{PERIOD_RE})(?: from (?P<anchor>\S.*))?$"),
    "retain": re.compile(rf"^retain:(?P<period>{PERIOD_RE}) after (?P<anchor>\S.*)$"),
}


@dataclass(frozen=True)
class Due:
    """A parsed due expression: kind is date/before/within/every/retain."""

    kind: str
    date: dt.date | None = None
    n: int | None = None
    unit: str | None = None  # d, bd (business days), h
    period: str | None = None  # ISO 8601 duration, e.g. P1Y
    anchor: str | None = None


def parse_period(text: str) -> relativedelta:
    """ISO 8601 duration (years, months, weeks, days) as a relativedelta."""
    m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?", text)
    if not m or text == "P":
        raise ValueError(f"not an ISO 8601 period: {text!r}")
    y, mo, w, d = (int(g or 0) for g in m.groups())
    return relativedelta(years=y, months=mo, weeks=w, days=d)


def parse_due(text: str) -> Due:
    """Parse `YYYY-MM-DD`, `before:X`, `within:N(d|bd|h) of X`, `every:P[ from X]`, `retain:P after X`."""
    for kind, pattern in DUE_PATTERNS.items():
        m = pattern.match(str(text))
        if not m:
            continue
        g = m.groupdict()
        if kind == "date":
            return Due(kind, date=dt.date.fromisoformat(g["date"]))
        if kind == "within":
            return Due(kind, n=int(g["n"]), unit=g["unit"], anchor=g["anchor"])
        if kind in {"every", "retain"}:
            parse_period(g["period"])
            return Due(kind, period=g["period"], anchor=g.get("anchor"))
        return Due(kind, anchor=g["anchor"])
    raise ValueError(
        f"bad due expression {text!r}: use YYYY-MM-DD, before:X, within:N(d|bd|h) of X, "
        "every:P1Y[ from X] or retain:P3Y after X"
    )
