"""AI-literacy refresh: a completion counts for its module's cycle; one that has expired or
expires within 30 days is due again, in the officers' inbox and in the person's own."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.inbox import inbox_count
from programme.inbox import my_training_due, training_to_refresh
from programme.literacy import completions_expiring, completions_import, training_module_create
from programme.models import TrainingCompletion

pytestmark = pytest.mark.django_db


def _import(officer, rows: list[tuple[str, dt.date]]) -> None:
    body = "email,module,date\n" + "".join(f"{p},AI basics,{d.isoformat()}\n" for p, d in rows)
    completions_import(actor=officer, content=body.encode(), filename="lms.csv")


@pytest.fixture
def module(officer):
    return training_module_create(actor=officer, data={"title": "AI basics", "refresh_months": 12})


def test_an_import_records_when_each_completion_expires(officer, module):
    _import(officer, [("ann@example.com", dt.date(2026, 1, 31))])
    assert TrainingCompletion.objects.get().expires_on == dt.date(2027, 1, 31)


def test_expired_and_soon_expiring_completions_are_due_and_a_newer_one_clears_them(officer, module):
    today = timezone.localdate()
    _import(
        officer,
        [
            ("old@example.com", today - dt.timedelta(days=400)),  # expired
            ("soon@example.com", today - dt.timedelta(days=350)),  # expires within 30 days
            ("fresh@example.com", today - dt.timedelta(days=10)),
        ],
    )
    due = {c.person for c in completions_expiring()}
    assert due == {"old@example.com", "soon@example.com"}
    _import(officer, [("old@example.com", today)])
    assert {c.person for c in completions_expiring()} == {"soon@example.com"}


def test_officers_see_refresh_due_in_their_inbox_and_people_see_their_own(
    officer, module, procurement, auditor, client
):
    procurement.email = "req@example.com"
    procurement.save()
    today = timezone.localdate()
    _import(
        officer,
        [("req@example.com", today - dt.timedelta(days=380)), ("x@example.com", today)],
    )
    assert training_to_refresh(user=officer).count() == 1
    assert training_to_refresh(user=auditor).count() == 0  # auditors do not chase training
    assert my_training_due(user=procurement).count() == 1
    assert my_training_due(user=officer).count() == 0
    assert inbox_count(procurement) >= 1
    client.force_login(procurement)
    body = client.get(reverse("inbox")).content.decode()
    assert "Refresh your AI training: AI basics" in body and "expired" in body
    client.force_login(officer)
    page = client.get(reverse("programme:literacy")).content.decode()
    assert 'id="expiring-table"' in page and "req@example.com" in page
