"""Dates the organisation owes once (a law starts to apply, AI literacy, a yearly filing) are one
organisation-wide deadline, never a copy per system; recurrence reads as words (issue 15 §1)."""

import datetime as dt

import pytest
from django.urls import reverse

from core.models import AuditEntry
from regulations.dashboard import dashboard_data
from regulations.models import Deadline, DeadlineSpec
from regulations.recurrence import recurrence_words
from regulations.services import classification_run, deadline_complete, deadline_create
from regulations.services.deadlines import ORG_COPY_REASON, is_organisation_scope

ON = dt.date(2026, 12, 4)
LITERACY = "eu.2024-1689-omnibus-r2.deadline.art5-art4"


def _open(**filters):
    return Deadline.objects.filter(completed_at__isnull=True, cancelled_at__isnull=True, **filters)


def test_ai_literacy_is_one_organisation_deadline_however_many_systems(real_content, make_system):
    systems = [make_system(name=f"EU tool {i}", jurisdictions=["DE"]) for i in range(3)]
    for system in systems:
        classification_run(system=system, on=ON)
    literacy = _open(title__startswith="Art 4 literacy")
    assert literacy.count() == 1
    row = literacy.get()
    assert row.system is None and row.organisation_wide
    assert row.due_date == dt.date(2025, 2, 2)
    assert row.source_id == "org:art5-art4"


def test_no_system_holds_a_copy_of_an_organisation_wide_date(real_content, make_system):
    for i, jurisdictions in enumerate([["DE"], ["CA", "CO", "CT"], ["DE", "CA"]]):
        classification_run(
            system=make_system(name=f"System {i}", jurisdictions=jurisdictions), on=ON
        )
    org_sources = {
        f"{s.content_version.version}:{s.key}"
        for s in DeadlineSpec.objects.select_related("content_version")
        if is_organisation_scope(s)
    }
    assert org_sources  # the content marks some dates as owed once
    per_system = _open(system__isnull=False, source_type="content_deadline")
    assert not per_system.filter(source_id__in=org_sources).exists()
    assert not per_system.filter(source_id__startswith="org:").exists()
    # organisation-wide rows are unique per (regime, date, source)
    org_rows = list(_open(system__isnull=True).values_list("regime_code", "source_id", "due_date"))
    assert len(org_rows) == len(set(org_rows)) > 0


def test_a_system_still_gets_what_it_triggers(real_content, make_system):
    screener = make_system(
        name="Résumé ranker", jurisdictions=["DE"], purposes=["recruitment_selection"]
    )
    classification_run(system=screener, on=ON)
    mine = _open(system=screener)
    assert mine.filter(title__startswith="Annex III high-risk duties apply").count() == 1


def test_resync_retires_old_per_system_copies_with_an_audit_entry(
    real_content, make_system, officer
):
    system = make_system(name="Legacy copy holder", jurisdictions=["DE"])
    classification_run(system=system, on=ON)
    spec = DeadlineSpec.objects.select_related("content_version").get(key=LITERACY)
    copy = deadline_create(  # what earlier syncs made: the org-wide date as this system's task
        actor=officer,
        title=spec.title,
        due_date=spec.date,
        kind=Deadline.Kind.STATUTORY,
        system=system,
        regime_code="eu",
        source_type="content_deadline",
        source_id=f"{spec.content_version.version}:{spec.key}",
    )
    classification_run(system=system, on=ON)
    copy.refresh_from_db()
    assert copy.cancelled_at is not None and copy.cancel_reason == ORG_COPY_REASON
    assert AuditEntry.objects.filter(action="deadline.cancel", target_id=str(copy.pk)).exists()
    assert _open(title__startswith="Art 4 literacy", system__isnull=True).count() == 1


def test_the_organisation_deadline_is_done_once_with_its_evidence(
    real_content, make_system, officer
):
    for i in range(2):
        classification_run(system=make_system(name=f"Tool {i}", jurisdictions=["DE"]), on=ON)
    row = _open(title__startswith="Art 4 literacy").get()
    deadline_complete(
        actor=officer,
        deadline=row,
        evidence_url="https://lms.example/ai-literacy",
        note="All staff",
    )
    classification_run(system=make_system(name="Tool 3", jurisdictions=["DE"]), on=ON)
    assert not _open(title__startswith="Art 4 literacy").exists()  # done stays done
    entry = AuditEntry.objects.get(action="deadline.complete", target_id=str(row.pk))
    assert entry.changes["evidence_url"] == ["", "https://lms.example/ai-literacy"]


def test_overdue_count_counts_an_organisation_date_once(real_content, make_system):
    for i in range(4):
        classification_run(system=make_system(name=f"Tool {i}", jurisdictions=["DE"]), on=ON)
    data = dashboard_data(today=ON)
    overdue = _open(due_date__lt=ON)
    assert data["overdue_total"] == overdue.count()
    assert overdue.filter(title__startswith="Art 4 literacy").count() == 1


@pytest.mark.parametrize(
    ("stored", "words"),
    [
        ("every:P3Y", "every 3 years"),
        ("every:P1Y", "every year"),
        ("every:P6M", "every 6 months"),
        ("every:P1Y from 2028-04-01", "every year from 2028-04-01"),
        ("DTSTART:20260401\nRRULE:FREQ=MONTHLY;INTERVAL=3", "every 3 months"),
        ("DTSTART:20270101\nRRULE:FREQ=YEARLY", "every year"),
        ("", ""),
    ],
)
def test_recurrence_reads_as_words(stored, words):
    assert recurrence_words(stored) == words


@pytest.mark.django_db
def test_the_deadline_list_shows_recurrence_in_words(client, officer):
    deadline_create(
        actor=officer,
        title="Review the risk assessment",
        due_date=dt.date(2027, 3, 1),
        kind=Deadline.Kind.REASSESSMENT,
        recurrence="every:P3Y",
    )
    client.force_login(officer)
    html = client.get(reverse("regulations:deadline-list")).content.decode()
    assert "every 3 years" in html
    assert "every:P3Y" not in html


@pytest.mark.django_db
def test_the_api_gives_recurrence_in_words_beside_the_stored_rule(client, officer):
    deadline_create(
        actor=officer,
        title="Quarterly summaries",
        due_date=dt.date(2027, 1, 1),
        kind=Deadline.Kind.RECURRING,
        recurrence="DTSTART:20260401\nRRULE:FREQ=MONTHLY;INTERVAL=3",
    )
    client.force_login(officer)
    row = client.get(reverse("api-deadline-list")).json()["results"][0]
    assert row["recurrence_text"] == "every 3 months"
    assert row["system_name"] is None  # organisation-wide


def test_no_review_falls_due_before_the_first_assessment_exists(real_content, make_system):
    from regulations.demo import DEMO_ORG
    from regulations.services import organisation_update

    organisation_update(actor=None, data=DEMO_ORG)
    gate = make_system(
        name="Door face check",
        jurisdictions=["CA"],
        domains=["biometrics"],
        decision_role="sole",
        data_categories=["biometric", "identifiers"],
        interacts_with_persons=True,
    )
    classification_run(system=gate, on=ON)
    mine = _open(system=gate, regime_code="ca")
    assert mine.filter(title="Risk assessment").exists()  # the first assessment is due
    # its three-yearly review starts on approval (reassessment_schedule), not before
    assert not mine.filter(kind=Deadline.Kind.REASSESSMENT).exists()
