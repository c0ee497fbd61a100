"""Log coverage as evidence of record-keeping: for each system, the days with and without usage
logs (gateway spend logs, model-invocation logs, traces) over the retention period that the
obligations triggered for it state in the content (e.g. EU Art 26(6), `retain:P6M after log
generation`). The period is read from the content, never assumed here."""

import datetime as dt
from dataclasses import dataclass, field

from discovery.selectors_usage import system_log_days
from regulations.models import Obligation
from regulations.schema.due import parse_due, parse_period
from regulations.selectors import classification_current

# A retention counted from the logs' own generation is a duty to keep logs; other retentions
# (documentation after placing on the market, records after a decision) are not about logs.
LOG_ANCHOR_WORDS = ("log",)


@dataclass(frozen=True)
class LogDuty:
    regime: str
    key: str
    title: str
    citation: str
    url: str
    retention: str
    period: str  # ISO 8601, e.g. P6M
    window_from: dt.date


@dataclass
class LogCoverage:
    duties: list[LogDuty]
    window_from: dt.date | None  # the longest duty's start (None: no duty applies)
    window_to: dt.date
    first_use: dt.date | None  # before it the system was not in use: not a gap
    days_total: int = 0
    days_with_logs: int = 0
    days_before_use: int = 0
    gaps: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    logged_days: int = 0  # all-time days with logs, whatever the duty
    first_log: dt.date | None = None
    last_log: dt.date | None = None

    @property
    def days_without_logs(self) -> int:
        return self.days_total - self.days_with_logs

    @property
    def percent(self) -> int | None:
        return round(100 * self.days_with_logs / self.days_total) if self.days_total else None

    @property
    def complete(self) -> bool:
        return bool(self.duties) and self.days_total > 0 and not self.days_without_logs


def is_log_retention(retention: str) -> bool:
    due = parse_due(retention)
    anchor = (due.anchor or "").lower()
    return due.kind == "retain" and any(word in anchor.split() for word in LOG_ANCHOR_WORDS)


def log_duties(*, system, on: dt.date) -> list[LogDuty]:
    """The triggered obligations of the system's current results that keep logs for a period."""
    duties = []
    for code, result in classification_current(system).items():
        if not result.applies or not result.triggered_obligations:
            continue
        for ob in Obligation.objects.filter(
            content_version=result.content_version_id, key__in=result.triggered_obligations
        ).exclude(retention=""):
            if not is_log_retention(ob.retention):
                continue
            period = parse_due(ob.retention).period
            duties.append(
                LogDuty(
                    regime=code,
                    key=ob.key,
                    title=ob.title,
                    citation=ob.citation,
                    url=ob.url,
                    retention=ob.retention,
                    period=period,
                    window_from=on - parse_period(period) + dt.timedelta(days=1),
                )
            )
    return sorted(duties, key=lambda d: (d.window_from, d.regime))


def _gaps(days: list[dt.date], logged: set[dt.date]) -> list[tuple[dt.date, dt.date]]:
    gaps, start, prev = [], None, None
    for d in days:
        if d in logged:
            if start is not None:
                gaps.append((start, prev))
                start = None
        elif start is None:
            start = d
        prev = d
    if start is not None:
        gaps.append((start, prev))
    return gaps


def log_coverage(*, system, on: dt.date) -> LogCoverage:
    """Days with and without logs over the longest log retention the law asks of the system,
    counted from its first use (first seen by discovery or the first day with logs) when later."""
    duties = log_duties(system=system, on=on)
    logged = system_log_days(system=system)
    first_log = min(logged) if logged else None
    first_use_candidates = [d for d in (first_log, _date(system.first_seen)) if d]
    first_use = min(first_use_candidates) if first_use_candidates else None
    cov = LogCoverage(
        duties=duties,
        window_from=duties[0].window_from if duties else None,
        window_to=on,
        first_use=first_use,
        logged_days=len(logged),
        first_log=first_log,
        last_log=max(logged) if logged else None,
    )
    if not duties:
        return cov
    start = cov.window_from
    if first_use and first_use > start:
        cov.days_before_use = (first_use - start).days
        start = first_use
    days = (
        [start + dt.timedelta(days=i) for i in range((on - start).days + 1)] if start <= on else []
    )
    cov.days_total = len(days)
    cov.days_with_logs = sum(1 for d in days if d in logged)
    cov.gaps = _gaps(days, logged)
    return cov


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None
