"""Deadlines: generated from results, completed with evidence (audited), recurring, ICS, reminders."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from core.models import AuditEntry
from regulations.models import Deadline, ReminderSent
from regulations.services import (
    classification_run,
    deadline_complete,
    deadline_create,
    system_record_substantial_modification,
)
from regulations.services.calendar import calendar_token_issue
from regulations.services.reminders import reminders_send


@pytest.mark.django_db
def test_triggered_obligations_create_statutory_and_recurring_deadlines(loaded_zz, make_system):
    system = make_system()
    classification_run(system=system, on=dt.date(2026, 11, 24))
    rows = {(d.kind, d.due_date, d.obligation_key) for d in Deadline.objects.filter(system=system)}
    assert ("statutory", dt.date(2027, 12, 2), "zz.v1.obligation.review") in rows
    # annual review, no approval yet: first due when the duty starts (the version's start)
    assert ("reassessment", dt.date(2024, 1, 1), "zz.v1.obligation.review") in rows
    classification_run(system=system)
    assert Deadline.objects.filter(system=system).count() == len(rows)  # idempotent


@pytest.mark.django_db
def test_substantial_modification_starts_the_90_day_clock(loaded_zz, make_system, officer):
    system = make_system()
    classification_run(system=system)
    system_record_substantial_modification(
        actor=officer, system=system, description="Retrained", on=dt.date(2026, 11, 30)
    )
    event = Deadline.objects.get(system=system, kind="event")
    assert event.due_date == dt.date(2027, 2, 28)
    assert event.obligation_key == "zz.v1.obligation.review"
    assert AuditEntry.objects.filter(action="system.substantial_modification").count() == 1


@pytest.mark.django_db
def test_complete_is_audited_and_recurring_duty_gets_next_instance(loaded_zz, make_system, officer):
    system = make_system()
    classification_run(system=system)
    review = Deadline.objects.get(system=system, kind="reassessment")
    deadline_complete(
        actor=officer,
        deadline=review,
        evidence_url="https://dms.example/review-2026",
        note="Approved by the board",
    )
    review.refresh_from_db()
    assert review.done and review.completed_by == officer
    entry = AuditEntry.objects.get(action="deadline.complete", target_id=str(review.pk))
    assert entry.changes["evidence_url"] == ["", "https://dms.example/review-2026"]
    nxt = Deadline.objects.filter(
        system=system, kind="reassessment", completed_at__isnull=True
    ).get()
    done_on = review.completed_at.date()
    assert nxt.due_date > done_on
    assert (nxt.due_date.year - done_on.year) == 1


@pytest.mark.django_db
def test_ics_feed_parses_back_with_the_users_deadlines(client, officer, auditor):
    mine = deadline_create(
        actor=officer,
        title="File the FRIA",
        due_date=dt.date(2027, 12, 2),
        kind="statutory",
        regime_code="eu",
        owner=officer,
        citation="Art 27",
    )
    deadline_create(
        actor=officer,
        title="Someone else's",
        due_date=dt.date(2027, 6, 1),
        kind="statutory",
        owner=auditor,
    )
    token = calendar_token_issue(actor=officer)
    response = client.get(reverse("regulations:calendar-feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["[EU] File the FRIA"]
    assert events[0].decoded("DTSTART") == dt.date(2027, 12, 2)
    assert str(events[0]["UID"]) == f"deadline-{mine.pk}@sightline"
    assert "Art 27" in str(events[0]["DESCRIPTION"])


@pytest.mark.django_db
def test_reissued_token_revokes_the_old_feed_url(client, officer):
    old = calendar_token_issue(actor=officer)
    new = calendar_token_issue(actor=officer)
    assert client.get(reverse("regulations:calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("regulations:calendar-feed", args=[new])).status_code == 200


@pytest.mark.django_db
def test_reminders_are_sent_once_per_slot(officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SIGHTLINE_BASE_URL = "https://sightline.example.org"
    deadline = deadline_create(
        actor=officer,
        title="Annual review",
        due_date=dt.date(2027, 1, 8),
        kind="recurring",
        owner=officer,
    )
    now = dt.datetime(2027, 1, 1, 10, tzinfo=dt.UTC)  # 7 days before, after 09:00
    assert reminders_send(now=now) == 1
    assert reminders_send(now=now) == 0  # recorded, not sent twice
    assert len(mail.outbox) == 1
    assert "Due in 7 day(s)" in mail.outbox[0].subject
    assert mail.outbox[0].to == [officer.email]
    link = f"https://sightline.example.org/regulations/deadlines/#deadline-{deadline.pk}"
    assert link in mail.outbox[0].body
    overdue = dt.datetime(2027, 1, 9, 9, 30, tzinfo=dt.UTC)
    assert reminders_send(now=overdue) == 1
    assert "OVERDUE" in mail.outbox[1].subject
    assert set(ReminderSent.objects.values_list("slot", flat=True)) == {
        "before-7",
        "overdue-2027-01-09",
    }


@pytest.mark.django_db
def test_done_deadlines_get_no_reminders(officer, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    d = deadline_create(
        actor=officer,
        title="Done already",
        due_date=dt.date(2027, 1, 8),
        kind="statutory",
        owner=officer,
    )
    deadline_complete(actor=officer, deadline=d, note="Filed")
    assert reminders_send(now=dt.datetime(2027, 1, 7, 12, tzinfo=dt.UTC)) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_deadline_list_filters_by_status(client, officer):
    deadline_create(
        actor=officer, title="Long overdue", due_date=dt.date(2020, 1, 1), kind="statutory"
    )
    deadline_create(actor=officer, title="Far away", due_date=dt.date(2099, 1, 1), kind="statutory")
    client.force_login(officer)
    page = client.get(reverse("regulations:deadline-list"), {"status": "overdue"}).content.decode()
    assert "Long overdue" in page and "Far away" not in page
    page = client.get(reverse("regulations:deadline-list"), {"status": "upcoming"}).content.decode()
    assert "Far away" in page and "Long overdue" not in page


@pytest.mark.django_db
def test_complete_without_evidence_or_note_rerenders_the_row_with_an_error(client, officer):
    d = deadline_create(
        actor=officer, title="Needs proof", due_date=dt.date(2027, 1, 1), kind="statutory"
    )
    client.force_login(officer)
    response = client.post(
        reverse("regulations:deadline-complete", args=[d.pk]), {}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Give a link to the evidence" in response.content.decode()
    d.refresh_from_db()
    assert not d.done
