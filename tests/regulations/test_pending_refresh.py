"""Results never go stale when a date passes: the daily task re-evaluates results whose pending start date
has come, audits the change, and the dashboard lists it under "changed today" (issue 14 §1)."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from core.models import AuditEntry
from regulations.dashboard import dashboard_data
from regulations.models import ClassificationResult
from regulations.services.classification import classification_pending_refresh, classification_run
from regulations.tasks import classification_pending_refresh_task

DAY_BEFORE, DAY_OF = dt.date(2027, 12, 1), dt.date(2027, 12, 2)


@pytest.fixture
def cv_ranker(db, make_system):
    call_command("load_content", no_classify=True, stdout=io.StringIO())
    system = make_system(
        name="CV ranker",
        jurisdictions=["DE"],
        domains=[],
        decision_role="none",
        purposes=["recruitment_selection"],
    )
    classification_run(system=system, on=DAY_BEFORE)
    return system


def _eu(system) -> ClassificationResult:
    return (
        ClassificationResult.objects.filter(system=system, regime__code="eu")
        .order_by("-computed_at", "-pk")
        .first()
    )


def test_result_before_the_date_is_pending_with_its_start(cv_ranker):
    result = _eu(cv_ranker)
    assert result.outcome == "high_risk_annex_iii"
    assert result.pending_from == DAY_OF
    assert result.headline.startswith("High-risk from 2027-12-02 because")


def test_nothing_is_re_evaluated_before_the_start_date(cv_ranker):
    assert classification_pending_refresh(on=DAY_BEFORE) == 0
    assert _eu(cv_ranker).pending_from == DAY_OF


def test_on_the_start_date_the_result_is_re_evaluated_in_force_and_audited(cv_ranker):
    before = _eu(cv_ranker)
    assert classification_pending_refresh(on=DAY_OF) == 1
    after = _eu(cv_ranker)
    assert after.pk != before.pk and after.previous_id == before.pk
    assert after.pending_from is None
    assert after.headline.startswith("High-risk because")
    entry = AuditEntry.objects.filter(action="classification.change", target_id=str(after.pk)).get()
    assert entry.changes["pending_from"] == ["2027-12-02", None]
    # Re-running the same day changes nothing.
    assert classification_pending_refresh(on=DAY_OF) == 0


def test_dashboard_lists_the_change_with_the_previous_outcome(cv_ranker):
    classification_pending_refresh(on=DAY_OF)
    changed = dashboard_data(today=timezone.localdate())["changed_today"]
    eu = [c for c in changed if c["regime"] == "eu"]
    assert len(eu) == 1
    assert eu[0]["was"].startswith("High-risk from 2027-12-02")
    assert eu[0]["now"].startswith("High-risk because")


def test_the_daily_task_is_on_the_beat_schedule(db):
    from sightline.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["regulations-pending-refresh"]
    assert entry["task"] == classification_pending_refresh_task.name
    assert entry["task"] in app.tasks


def test_the_api_gives_the_headline_and_the_pending_date(cv_ranker, auditor):
    from django.urls import reverse
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(auditor)
    rows = api.get(reverse("api-result-list"), {"system": cv_ranker.pk}).json()["results"]
    eu = next(r for r in rows if r["regime"] == "eu")
    assert eu["pending_from"] == "2027-12-02"
    assert eu["headline"].startswith("High-risk from 2027-12-02")
    assert eu["details"]["deciding_facts"] == [
        {"fact": "system.purposes", "value": ["recruitment_selection"]}
    ]


def test_dashboard_counts_high_risk_not_yet_in_force(cv_ranker):
    eu = next(r for r in dashboard_data(today=DAY_BEFORE)["regimes"] if r["regime"].code == "eu")
    assert (eu["high_risk"], eu["high_risk_pending"]) == (1, 1)
    classification_pending_refresh(on=DAY_OF)
    eu = next(r for r in dashboard_data(today=DAY_OF)["regimes"] if r["regime"].code == "eu")
    assert (eu["high_risk"], eu["high_risk_pending"]) == (1, 0)


def test_a_duty_starting_later_is_refreshed_on_its_start_date(db, make_system):
    """Connecticut: an AEDT is in force from 2026-10-01, its notice duties from 2027-10-01 (PA 26-15 Secs. 9-10)."""
    call_command("load_content", no_classify=True, stdout=io.StringIO())
    system = make_system(
        name="CT screener", jurisdictions=["CT"], domains=["employment"], decision_role="sole"
    )
    classification_run(system=system, on=dt.date(2027, 9, 30))
    ct = ClassificationResult.objects.filter(system=system, regime__code="ct").latest(
        "computed_at", "pk"
    )
    assert ct.pending_from is None and ct.next_change_on == dt.date(2027, 10, 1)
    assert classification_pending_refresh(on=dt.date(2027, 9, 30)) == 0
    assert classification_pending_refresh(on=dt.date(2027, 10, 1)) == 1
    now = ClassificationResult.objects.filter(system=system, regime__code="ct").latest(
        "computed_at", "pk"
    )
    assert now.previous_id == ct.pk
    in_force = {o["id"].rsplit(".", 1)[-1]: o["in_force"] for o in now.details["obligations"]}
    assert in_force["ct-05"] is True
    assert AuditEntry.objects.filter(action="classification.change", target_id=str(now.pk)).exists()
    assert now.next_change_on == dt.date(
        2028, 1, 1
    )  # the cure window (CT-06) ends after 2027-12-31
