"""Rights requests: statutory due dates from the content, extension once, inbox, summary."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.inbox import inbox_for
from core.models import AuditEntry
from programme.content_loader import load_programme_content
from programme.rights import (
    add_period,
    rights_request_create,
    rights_request_extend,
    rights_request_update,
    rights_rules,
    rights_summary,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules():
    load_programme_content()
    return {r.code: r for r in rights_rules()}


def test_periods_in_days_business_days_and_months():
    friday = dt.date(2026, 12, 4)
    assert add_period(friday, {"days": 45}) == dt.date(2027, 1, 18)
    assert add_period(friday, {"business_days": 15}) == dt.date(2026, 12, 25)
    assert add_period(dt.date(2026, 1, 31), {"months": 1}) == dt.date(2026, 2, 28)


def test_ccpa_access_is_due_in_45_days_and_extends_once_by_45(rules, officer):
    received = timezone.localdate() - dt.timedelta(days=10)
    item = rights_request_create(
        actor=officer,
        data={"rule": rules["ccpa.access"], "reference": "CASE-1", "received_on": received},
    )
    assert item.due_on == received + dt.timedelta(days=45)
    entry = AuditEntry.objects.get(action="rights.create")
    assert "1798.130" in entry.changes["citation"][1]
    with pytest.raises(ValidationError):
        rights_request_extend(actor=officer, item=item, reason=" ")
    item = rights_request_extend(actor=officer, item=item, reason="Records are archived")
    assert item.due_on == received + dt.timedelta(days=90)
    with pytest.raises(ValidationError, match="already extended"):
        rights_request_extend(actor=officer, item=item, reason="again")


def test_rules_without_a_period_or_extension(rules, officer):
    today = timezone.localdate()
    co = rights_request_create(
        actor=officer,
        data={"rule": rules["co.correction-review"], "reference": "C", "received_on": today},
    )
    assert co.due_on is None
    appeal = rights_request_create(
        actor=officer, data={"rule": rules["ctdpa.appeal"], "reference": "A", "received_on": today}
    )
    assert appeal.due_on == today + dt.timedelta(days=60)
    with pytest.raises(ValidationError, match="no extension"):
        rights_request_extend(actor=officer, item=appeal, reason="busy")
    with pytest.raises(ValidationError):
        rights_request_create(
            actor=officer,
            data={
                "rule": rules["ctdpa.appeal"],
                "reference": "F",
                "received_on": today + dt.timedelta(days=1),
            },
        )


def test_overdue_and_near_requests_are_in_the_inbox_until_answered(rules, officer, procurement):
    today = timezone.localdate()
    overdue = rights_request_create(
        actor=officer,
        data={
            "rule": rules["ccpa.delete"],
            "reference": "OLD",
            "received_on": today - dt.timedelta(days=50),
        },
    )
    rights_request_create(
        actor=officer, data={"rule": rules["ccpa.delete"], "reference": "NEW", "received_on": today}
    )
    section = {s.section.key: s for s in inbox_for(officer)}["rights-due"]
    assert [(i.title, i.flag) for i in section.items] == [("CCPA right to delete: OLD", "overdue")]
    assert section.items[0].due == today - dt.timedelta(days=5)
    assert {s.section.key: s for s in inbox_for(procurement)}["rights-due"].count == 0
    with pytest.raises(ValidationError):
        rights_request_update(actor=officer, item=overdue, data={"responded_on": today})
    rights_request_update(
        actor=officer, item=overdue, data={"responded_on": today, "outcome": "granted"}
    )
    assert {s.section.key: s for s in inbox_for(officer)}["rights-due"].count == 0
    summary = {row["rule__code"]: row for row in rights_summary()}["ccpa.delete"]
    assert (summary["received"], summary["open"], summary["answered"], summary["late"]) == (
        2,
        1,
        1,
        1,
    )
    assert summary["avg_days"] == 50


def test_pages_log_a_request_and_show_its_due_date(rules, as_officer):
    received = timezone.localdate() - dt.timedelta(days=44)
    response = as_officer.post(
        reverse("programme:rights-create"),
        {"rule": rules["ccpa.access"].pk, "reference": "WEB-7", "received_on": received.isoformat(), "identity": "verified"},
    )  # fmt: skip
    assert response.status_code == 302
    inbox = as_officer.get(reverse("inbox")).content.decode()
    assert f"Due {(received + dt.timedelta(days=45)).isoformat()} (received" in inbox
    page = as_officer.get(reverse("programme:rights-list") + "?state=due").content.decode()
    assert "WEB-7" in page
