"""Spend spikes: a robust z-score (median and MAD of the 28 days before) above 3.5 with a minimum
spend; days whose baseline a later file changes are judged again."""

import datetime as dt
from decimal import Decimal

import pytest

from discovery.models import Finding, ModelUsageDay
from discovery.services.usage_rules import robust_z, usage_rules_apply

pytestmark = pytest.mark.django_db
DAY1 = dt.date(2026, 11, 1)


def add(day: dt.date, cost: str, *, identity: str = "ann", team: str = "Data") -> tuple:
    """Adds usage as a batch writer would (counters added to the day's row); returns its key."""
    moment = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    key = {
        "source": "litellm", "app_key": "openai-api-platform", "identity": identity, "team": team,
        "key_alias": "data-key", "model": "gpt-4o", "region": "", "service": "", "day": day,
    }  # fmt: skip
    row, created = ModelUsageDay.objects.get_or_create(
        **key,
        defaults={"requests": 1, "cost": Decimal(cost), "first_seen": moment, "last_seen": moment},
    )
    if not created:
        row.cost += Decimal(cost)
        row.save(update_fields=["cost"])
    return (*(str(key[f]) for f in list(key)[:8]), day.isoformat())


def apply(keys: list[tuple]):
    return usage_rules_apply(
        run=None, merged={"model_usage": {k: [1, 0, 0, 0, 0, 0] for k in keys}}
    )


def test_robust_z_uses_median_and_mad():
    assert robust_z(10, [1, 2, 3, 4, 5]) == pytest.approx(0.6745 * 7 / 1)
    assert robust_z(3, [1, 2, 3, 4, 5]) == 0
    assert robust_z(5, [2, 2, 2, 2, 6]) == pytest.approx(3 / (1.253314 * 0.8))
    assert robust_z(5, [2, 2, 2]) == float("inf")


def test_a_day_far_above_the_trailing_median_is_a_spike_once():
    keys = [add(DAY1 + dt.timedelta(days=i), "1") for i in range(7)]
    keys.append(add(DAY1 + dt.timedelta(days=7), "20"))
    (spike,) = apply(keys)
    assert spike.dedupe_key == "spend_spike:team:Data:2026-11-08"
    assert spike.evidence["baseline_days"] == 7 and spike.evidence["spend"] == "20.00"
    apply(keys)
    assert Finding.objects.count() == 1


def test_too_short_a_baseline_or_too_small_a_spend_is_no_spike():
    keys = [add(DAY1 + dt.timedelta(days=i), "1") for i in range(6)]
    keys.append(add(DAY1 + dt.timedelta(days=6), "20"))  # six baseline days
    keys.append(add(DAY1 + dt.timedelta(days=20), "9"))  # below the minimum spend
    assert apply(keys) == []


def test_a_spike_that_later_files_undo_is_superseded():
    keys = [add(DAY1 + dt.timedelta(days=i), "1") for i in range(7)]
    keys.append(add(DAY1 + dt.timedelta(days=7), "20"))
    (spike,) = apply(keys)
    # a late file shows another person spent 15-25 a day on those same days
    late = [
        add(DAY1 + dt.timedelta(days=i), str(15 + (i * 7) % 11), identity="bo") for i in range(7)
    ]
    assert apply(late) == []
    spike.refresh_from_db()
    assert spike.state == Finding.State.DISMISSED
    assert spike.dismiss_reason.startswith("Superseded")
