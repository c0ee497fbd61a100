"""The work inbox moves with the work, its badge is cheap, and e-mail honours each user's choice."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.services import (
    assessment_approve,
    assessment_return,
    assessment_start,
    assessment_submit,
)
from core.inbox import inbox_count, inbox_for, inbox_sections
from core.models import AuditEntry, NotificationKind, NotificationPreference
from core.notifications import notification_preferences_update
from discovery.models import Finding
from discovery.services.triage import finding_assign
from regulations.models import Deadline
from regulations.services.reminders import reminder_recipients
from tests.assessments import factories
from tests.factories import AISystemFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("storage_dir")]


def counts(user) -> dict[str, int]:
    return {s.section.key: s.count for s in inbox_for(user)}


def test_an_assessment_moves_between_inboxes_as_it_is_submitted_returned_and_approved(
    officer, officer2
):
    system = factories.classified_system()
    assessment = assessment_start(actor=officer, system=system, template=factories.fria())
    assert counts(officer)["assessments-to-complete"] == 1
    assert counts(officer2)["assessments-to-review"] == 0

    factories.fill_required(officer, assessment)
    assessment_submit(actor=officer, assessment=assessment)
    assert counts(officer)["assessments-to-complete"] == 0
    assert counts(officer)["assessments-to-review"] == 0  # nobody reviews their own
    assert counts(officer2)["assessments-to-review"] == 1

    assessment_return(actor=officer2, assessment=assessment, reason="Name the affected groups.")
    mine = {s.section.key: s for s in inbox_for(officer)}["assessments-to-complete"]
    assert mine.count == 1 and mine.items[0].flag == "returned"
    assert "Name the affected groups." in mine.items[0].detail
    assert counts(officer2)["assessments-to-review"] == 0

    assessment_submit(actor=officer, assessment=assessment)
    assessment_approve(actor=officer2, assessment=assessment)
    assert counts(officer)["assessments-to-complete"] == 0
    assert counts(officer2)["assessments-to-review"] == 0


def test_review_section_is_empty_for_a_role_that_cannot_approve(officer, procurement):
    system = factories.classified_system()
    assessment = assessment_start(actor=officer, system=system, template=factories.fria())
    factories.fill_required(officer, assessment)
    assessment_submit(actor=officer, assessment=assessment)
    assert counts(procurement)["assessments-to-review"] == 0


def test_finding_assigned_to_me_is_listed_until_triaged(officer, officer2):
    now = timezone.now()
    finding = Finding.objects.create(
        kind=Finding.Kind.UNSANCTIONED_USE,
        severity="high",
        title="Claude used",
        dedupe_key="inbox:claude",
        app_key="claude",
        first_seen=now,
        last_seen=now,
    )
    assert counts(officer2)["findings-assigned"] == 0
    finding_assign(finding=finding, actor=officer, assignee=officer2)
    section = {s.section.key: s for s in inbox_for(officer2)}["findings-assigned"]
    assert section.count == 1 and section.items[0].title == "Claude used"
    assert counts(officer)["findings-assigned"] == 0


def test_deadlines_i_own_within_30_days_including_overdue(officer, officer2):
    today = timezone.localdate()
    for title, days, owner in (
        ("soon", 10, officer),
        ("late", -3, officer),
        ("far", 45, officer),
        ("theirs", 5, officer2),
    ):
        Deadline.objects.create(
            title=title, due_date=today + dt.timedelta(days=days), kind="statutory", owner=owner
        )
    Deadline.objects.create(
        title="done", due_date=today, kind="statutory", owner=officer, completed_at=timezone.now()
    )
    section = {s.section.key: s for s in inbox_for(officer)}["deadlines-owned"]
    assert [i.title for i in section.items] == ["late", "soon"]
    assert section.items[0].flag == "overdue"


def test_systems_needing_facts_until_the_facts_are_set(officer, procurement):
    bare = AISystemFactory(  # sanctioned from discovery: in intake until its facts are set
        name="Shadow tool",
        owner=None,
        description="",
        jurisdictions=[],
        domains=[],
        intake_pending=True,
    )
    AISystemFactory(
        name="Complete",
        owner=officer,
        description="Ranks CVs",
        jurisdictions=["CO"],
        domains=["employment"],
    )
    section = {s.section.key: s for s in inbox_for(officer)}["systems-needing-facts"]
    assert [i.title for i in section.items] == ["Shadow tool"]
    assert "jurisdictions" in section.items[0].detail
    assert counts(procurement)["systems-needing-facts"] == 0  # cannot edit systems
    bare.owner, bare.description = officer, "Drafts marketing copy"
    bare.jurisdictions, bare.domains = ["CA"], ["marketing"]
    bare.save()
    assert counts(officer)["systems-needing-facts"] == 0


def test_badge_runs_one_count_query_per_section(client, officer):
    client.force_login(officer)
    url = reverse("inbox-badge")
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    counting = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    # programme adds five: requests to decide, AI use asked about, rights due, literacy
    # completions to refresh, and one's own training due again; discovery two: findings
    # assigned to me and budget alerts
    assert len(inbox_sections()) == 12
    assert len(counting) == len(inbox_sections())
    # session, user, account expiry, role (groups), permissions (direct and through groups)
    assert len(ctx.captured_queries) == len(inbox_sections()) + 6


def test_badge_shows_the_total(client, officer):
    today = timezone.localdate()
    Deadline.objects.create(title="soon", due_date=today, kind="statutory", owner=officer)
    client.force_login(officer)
    body = client.get(reverse("inbox-badge")).content.decode()
    assert inbox_count(officer) == 1
    assert ">1</span>" in body


def test_inbox_page_lists_every_section(client, officer):
    client.force_login(officer)
    body = client.get(reverse("inbox")).content.decode()
    for section in inbox_sections():
        assert section.title in body


def test_submission_mails_the_other_reviewers_not_the_submitter(officer, officer2):
    system = factories.classified_system()
    assessment = assessment_start(actor=officer, system=system, template=factories.fria())
    factories.fill_required(officer, assessment)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assessment_submit(actor=officer, assessment=assessment)
    to = sorted(address for m in mail.outbox for address in m.to)
    assert "officer2@example.com" in to and "officer@example.com" not in to
    assert "Review requested" in mail.outbox[0].subject


def test_a_switched_off_kind_is_not_sent(officer, officer2):
    notification_preferences_update(
        actor=officer2, enabled=[k for k in NotificationKind.values if k != "submitted"]
    )
    system = factories.classified_system()
    assessment = assessment_start(actor=officer, system=system, template=factories.fria())
    factories.fill_required(officer, assessment)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assessment_submit(actor=officer, assessment=assessment)
    assert not any("officer2@example.com" in m.to for m in mail.outbox)
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assessment_return(actor=officer2, assessment=assessment, reason="More detail.")
    assert [m.to for m in mail.outbox] == [["officer@example.com"]]
    assert "Returned for changes" in mail.outbox[0].subject
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assessment_submit(actor=officer, assessment=assessment)
        assessment_approve(actor=officer2, assessment=assessment)
    assert ["officer@example.com"] in [m.to for m in mail.outbox]
    assert any(m.subject.startswith("[Sightline] Approved") for m in mail.outbox)


def test_assignment_mails_the_assignee(officer, officer2):
    now = timezone.now()
    finding = Finding.objects.create(
        kind=Finding.Kind.UNSANCTIONED_USE,
        severity="high",
        title="Claude used",
        dedupe_key="mail:claude",
        app_key="claude",
        first_seen=now,
        last_seen=now,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        finding_assign(finding=finding, actor=officer, assignee=officer2)
    assert [m.to for m in mail.outbox] == [["officer2@example.com"]]


def test_deadline_reminders_skip_an_owner_who_switched_them_off(officer):
    deadline = Deadline.objects.create(
        title="Notice due", due_date=timezone.localdate(), kind="statutory", owner=officer
    )
    assert reminder_recipients(deadline) == ["officer@example.com"]
    notification_preferences_update(actor=officer, enabled=[])
    assert reminder_recipients(deadline) == []


def test_preferences_page_saves_and_audits(client, officer):
    client.force_login(officer)
    page = client.get(reverse("notification-settings")).content.decode()
    assert page.count('type="checkbox"') == len(NotificationKind.values)
    response = client.post(reverse("notification-settings"), {"kind": ["approved", "returned"]})
    assert response.status_code == 302
    off = set(
        NotificationPreference.objects.filter(user=officer, enabled=False).values_list(
            "kind", flat=True
        )
    )
    assert off == set(NotificationKind.values) - {"approved", "returned"}
    entry = AuditEntry.objects.get(action="notifications.update")
    assert entry.changes["submitted"] == [True, False]


def test_unknown_kind_is_refused(officer):
    with pytest.raises(ValueError):
        notification_preferences_update(actor=officer, enabled=["everything"])
