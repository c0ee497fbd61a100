"""A gateway key is shared when two teams use it in the same calendar month; a key handed from
one team to another later is not."""

import datetime as dt

import pytest

from discovery.models import Finding
from tests.discovery.test_usage_spikes import add, apply

pytestmark = pytest.mark.django_db


def test_a_key_two_teams_use_in_one_month_is_shared():
    keys = [
        add(dt.date(2026, 11, 3), "1", team="Data"),
        add(dt.date(2026, 11, 20), "1", team="Ops"),
    ]
    (finding,) = apply(keys)
    assert finding.dedupe_key == "shared_key:data-key"
    assert finding.evidence["months"] == ["2026-11"]
    assert [t["team"] for t in finding.evidence["teams"]] == ["Data", "Ops"]


def test_a_key_handed_to_another_team_next_month_is_not_shared():
    keys = [
        add(dt.date(2026, 10, 30), "1", team="Data"),
        add(dt.date(2026, 11, 2), "1", team="Ops"),
    ]
    assert apply(keys) == []
    assert not Finding.objects.exists()
