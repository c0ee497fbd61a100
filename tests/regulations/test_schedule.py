"""Reminder and recurrence dates with fixed inputs: DST changes, month ends, leap days (dateutil)."""

import datetime as dt

from dateutil import tz

from regulations.schedule import (
    add_business_days,
    next_occurrence,
    reminder_schedule,
    reminders_due,
)

BERLIN = tz.gettz("Europe/Berlin")
NEW_YORK = tz.gettz("America/New_York")


def slots(due, zone, until=None):
    return {s.slot: s.at for s in reminder_schedule(due=due, tz=zone, overdue_until=until)}


def test_reminders_are_30_7_and_1_days_before_at_nine_local():
    got = slots(dt.date(2027, 1, 1), BERLIN)
    assert got["before-30"] == dt.datetime(2026, 12, 2, 9, tzinfo=BERLIN)
    assert got["before-7"] == dt.datetime(2026, 12, 25, 9, tzinfo=BERLIN)
    assert got["before-1"] == dt.datetime(2026, 12, 31, 9, tzinfo=BERLIN)


def test_spring_dst_change_keeps_nine_local_and_shifts_utc():
    # Europe switches to summer time on 2026-03-29: the 30-day reminder is in winter time (UTC+1),
    # the 1-day one in summer time (UTC+2); both at 09:00 on the wall clock.
    got = slots(dt.date(2026, 4, 2), BERLIN)
    assert got["before-30"].astimezone(dt.UTC) == dt.datetime(2026, 3, 3, 8, tzinfo=dt.UTC)
    assert got["before-1"].astimezone(dt.UTC) == dt.datetime(2026, 4, 1, 7, tzinfo=dt.UTC)


def test_autumn_dst_change_in_new_york():
    # US clocks go back on 2026-11-01: 7 days before 2026-11-05 is 2026-10-29 in EDT (UTC-4).
    got = slots(dt.date(2026, 11, 5), NEW_YORK)
    assert got["before-7"].astimezone(dt.UTC) == dt.datetime(2026, 10, 29, 13, tzinfo=dt.UTC)
    assert got["before-1"].astimezone(dt.UTC) == dt.datetime(2026, 11, 4, 14, tzinfo=dt.UTC)


def test_reminders_across_month_ends_and_leap_day():
    got = slots(dt.date(2028, 3, 1), BERLIN)
    assert got["before-1"].date() == dt.date(2028, 2, 29)  # leap year
    assert got["before-30"].date() == dt.date(2028, 1, 31)
    got = slots(dt.date(2027, 3, 1), BERLIN)
    assert got["before-1"].date() == dt.date(2027, 2, 28)


def test_overdue_reminders_are_weekly_from_the_day_after():
    got = slots(dt.date(2026, 1, 30), dt.UTC, until=dt.date(2026, 2, 20))
    overdue = sorted(k for k in got if k.startswith("overdue"))
    assert overdue == ["overdue-2026-01-31", "overdue-2026-02-07", "overdue-2026-02-14"]


def test_only_the_latest_reached_slot_is_due_no_backlog():
    due = dt.date(2027, 1, 1)
    now = dt.datetime(2026, 12, 31, 10, tzinfo=dt.UTC)
    assert [s.slot for s in reminders_due(due=due, now=now, tz=dt.UTC)] == ["before-1"]
    early = dt.datetime(2026, 12, 2, 8, 59, tzinfo=dt.UTC)
    assert reminders_due(due=due, now=early, tz=dt.UTC) == []


def test_annual_recurrence_from_a_leap_day_clamps_to_month_end_without_drift():
    anchor = dt.date(2024, 2, 29)
    assert next_occurrence("every:P1Y", anchor=anchor, after=anchor) == dt.date(2025, 2, 28)
    assert next_occurrence("every:P1Y", anchor=anchor, after=dt.date(2027, 3, 1)) == dt.date(
        2028, 2, 29
    )


def test_monthly_recurrence_from_the_31st():
    anchor = dt.date(2026, 1, 31)
    assert next_occurrence("every:P1M", anchor=anchor, after=anchor) == dt.date(2026, 2, 28)
    assert next_occurrence("every:P1M", anchor=anchor, after=dt.date(2026, 3, 1)) == dt.date(
        2026, 3, 31
    )


def test_rrule_with_dtstart_from_content():
    rule = "DTSTART:20241201T000000\nRRULE:FREQ=YEARLY"
    assert next_occurrence(
        rule, anchor=dt.date(2026, 11, 24), after=dt.date(2026, 11, 24)
    ) == dt.date(2026, 12, 1)


def test_business_days_skip_weekends():
    assert add_business_days(dt.date(2026, 11, 27), 2) == dt.date(2026, 12, 1)  # Fri + 2bd = Tue
