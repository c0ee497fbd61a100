"""Log coverage: days with and without usage logs over the log retention the triggered
obligations state in the content (EU Art 26(6): retain:P6M after log generation)."""

import datetime as dt

import pytest
from django.urls import reverse

from regulations.log_coverage import is_log_retention, log_coverage
from regulations.schema.due import parse_period
from regulations.services.classification import classification_run
from tests.discovery.usage_factories import ModelUsageDayFactory

pytestmark = pytest.mark.django_db

ON = dt.date(2028, 3, 1)  # EU high-risk deployer duties are in force


@pytest.fixture
def screener(real_content, make_system):
    system = make_system(name="CV ranker", purposes=["recruitment_selection"], domains=[])
    classification_run(system=system, on=ON)
    return system


def test_only_retentions_counted_from_log_generation_are_log_duties():
    assert is_log_retention("retain:P6M after log generation")
    assert not is_log_retention("retain:P10Y after placing on the market")
    assert not is_log_retention("retain:P3Y after each decision")


def test_the_window_is_the_retention_the_content_states(screener):
    cov = log_coverage(system=screener, on=ON)

    assert [d.citation for d in cov.duties] == ["Art 26(6)"]
    duty = cov.duties[0]
    assert duty.retention == "retain:P6M after log generation"
    assert cov.window_from == ON - parse_period(duty.period) + dt.timedelta(days=1)


def test_days_with_and_without_logs_and_the_gaps(screener):
    start = ON - dt.timedelta(days=9)
    screener.first_seen = dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC)
    screener.save(update_fields=["first_seen"])
    for offset in (0, 1, 2, 6, 9):
        ModelUsageDayFactory(system=screener, day=start + dt.timedelta(days=offset))

    cov = log_coverage(system=screener, on=ON)

    assert cov.days_total == 10  # from first use, not the whole six months
    assert (cov.days_with_logs, cov.days_without_logs) == (5, 5)
    assert cov.gaps == [
        (start + dt.timedelta(days=3), start + dt.timedelta(days=5)),
        (start + dt.timedelta(days=7), start + dt.timedelta(days=8)),
    ]
    assert cov.percent == 50
    assert cov.days_before_use > 150


def test_a_system_without_a_log_duty_has_no_window(make_system, real_content):
    system = make_system(name="Note taker", domains=[], decision_role="none", data_categories=[])
    ModelUsageDayFactory(system=system, day=ON)

    cov = log_coverage(system=system, on=ON)

    assert cov.duties == [] and cov.days_total == 0 and cov.logged_days == 1


def test_the_system_page_shows_the_panel_with_an_upload_hint_when_no_logs(as_officer, screener):
    html = as_officer.get(reverse("inventory:system-detail", args=[screener.pk])).content.decode()

    assert 'data-testid="log-coverage"' in html
    assert "retain:P6M after log generation" in html
    assert "No gateway logs or traces for this system yet" in html
