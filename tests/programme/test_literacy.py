"""AI literacy: LMS completions imported from CSV, coverage per team and per high-risk system."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from discovery.models import DiscoveredApp, IdentityMapping, UsageRollup
from programme.literacy import completions_import, coverage
from programme.models import TrainingCompletion, TrainingModule
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def module():
    return TrainingModule.objects.create(title="AI basics", version="2", refresh_months=12)


def recent(days=10):
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def test_import_counts_bad_rows_and_skips_duplicates(officer, module):
    csv = (
        "Email,Course Title,Completion Date,Score,Team\n"
        f"Ann@Example.com,AI basics,{recent()},92%,Sales\n"
        f"bob@example.com,AI basics,{recent()},,Sales\n"
        f"bob@example.com,AI basics,{recent()},,Sales\n"  # the same row twice
        f"carl@example.com,Unknown course,{recent()},,HR\n"
        "dina@example.com,AI basics,not a date,,HR\n"
        ",AI basics,2026-01-01,,HR\n"
        "erin@example.com,AI basics,2999-01-01,,HR\n"
        f"fred@example.com,AI basics,{recent()},lots,HR\n"
    ).encode()
    result = completions_import(actor=officer, content=csv, filename="lms.csv")
    assert (result.created, result.duplicates) == (2, 1)
    assert result.skipped == {
        "unknown module": 1, "unreadable date": 1, "no person": 1,
        "date in the future": 1, "unreadable score": 1,
    }  # fmt: skip
    ann = TrainingCompletion.objects.get(person="ann@example.com")
    assert (str(ann.score), ann.team) == ("92.0", "Sales")
    entry = AuditEntry.objects.get(action="literacy.import")
    assert entry.changes["created"] == 2 and len(entry.changes["file_sha256"]) == 64
    again = completions_import(actor=officer, content=csv, filename="lms.csv")
    assert (again.created, again.duplicates) == (0, 3)


def test_a_file_without_the_needed_columns_is_refused_by_name(officer, module):
    with pytest.raises(ValidationError, match="completion date"):
        completions_import(
            actor=officer, content=b"email,module\na@x,AI basics\n", filename="x.csv"
        )


def test_coverage_per_team_expiry_and_high_risk_users(officer, module):
    now = timezone.now()
    for person, team in (
        ("ann@example.com", "Sales"),
        ("bob@example.com", "Sales"),
        ("cy@example.com", "HR"),
    ):
        IdentityMapping.objects.create(kind="user", identifier=person, person=person, team=team)
    system = AISystemFactory(risk_tier="high")
    DiscoveredApp.objects.create(app_key="screener", name="Screener", system=system)
    UsageRollup.objects.create(
        app_key="screener",
        identity="cy@example.com",
        team="HR",
        day=now.date(),
        first_seen=now,
        last_seen=now,
    )
    UsageRollup.objects.create(
        app_key="screener",
        identity="bob@example.com",
        team="Sales",
        day=now.date(),
        first_seen=now,
        last_seen=now,
    )
    before = coverage()
    assert before["high_risk"].total == 2 and before["high_risk"].trained == 0
    old = (timezone.localdate() - dt.timedelta(days=400)).isoformat()
    csv = f"email,module,completed\nbob@example.com,AI basics,{recent()}\ncy@example.com,AI basics,{old}\n"
    completions_import(actor=officer, content=csv.encode(), filename="lms.csv")
    after = coverage()
    teams = {t.label: t for t in after["teams"]}
    assert (teams["Sales"].trained, teams["Sales"].total) == (1, 2)
    assert teams["Sales"].missing == ["ann@example.com"]
    assert (teams["HR"].trained, teams["HR"].missing) == (0, ["cy@example.com"])  # expired
    assert after["high_risk"].percent == 50 and after["high_risk"].missing == ["cy@example.com"]


def test_page_import_changes_the_coverage(as_officer, module):
    IdentityMapping.objects.create(
        kind="user", identifier="ann", person="ann@example.com", team="Ops"
    )
    page = as_officer.get(reverse("programme:literacy")).content.decode()
    assert 'id="everyone-percent">0 %' in page
    upload = SimpleUploadedFile(
        "lms.csv", f"email,module,date\nann@example.com,AI basics,{recent()}\n".encode()
    )
    response = as_officer.post(reverse("programme:completion-import"), {"file": upload})
    assert response.status_code == 302
    page = as_officer.get(reverse("programme:literacy")).content.decode()
    assert 'id="everyone-percent">100 %' in page


def test_assignments_to_a_person_or_team_list_who_is_missing(officer, module):
    from programme.literacy import assignment_status, training_assignment_create

    IdentityMapping.objects.create(
        kind="user", identifier="a", person="ann@example.com", team="Ops"
    )
    IdentityMapping.objects.create(
        kind="user", identifier="b", person="bob@example.com", team="Ops"
    )
    with pytest.raises(ValidationError):
        training_assignment_create(actor=officer, module=module)
    with pytest.raises(ValidationError):
        training_assignment_create(actor=officer, module=module, person="x@y", team="Ops")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    training_assignment_create(actor=officer, module=module, team="Ops", due_date=yesterday)
    training_assignment_create(actor=officer, module=module, person="New.Hire@example.com")
    completions_import(
        actor=officer,
        content=f"email,module,date\nann@example.com,AI basics,{recent()}\n".encode(),
        filename="l.csv",
    )
    rows = {r["assignment"].person or r["assignment"].team: r for r in assignment_status()}
    assert rows["Ops"]["people"] == 2 and rows["Ops"]["missing"] == ["bob@example.com"]
    assert rows["Ops"]["overdue"] is True
    assert rows["new.hire@example.com"]["missing"] == ["new.hire@example.com"]
    assert "new.hire@example.com" in coverage()["everyone"].missing  # an assignee joins the roster
    assert AuditEntry.objects.filter(action="literacy.assign").count() == 2
