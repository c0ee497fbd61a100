"""Property (issue 14): for any system, moving the evaluation date forward never turns an in-force outcome
back into pending, and every pending outcome names its start date (after the evaluation date)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regulations.conditions import FACT_VOCAB, SYSTEM_FACTS
from regulations.engine import evaluate, version_for_date
from tests.regulations.cases.profiles import all_versions, org, system

REGIMES = ["eu", "co", "ct", "md", "ca", "ca-sb53"]
START, END = dt.date(2024, 1, 1), dt.date(2031, 12, 31)


def _subset(fact: str, size: int = 3):
    return st.lists(st.sampled_from(sorted(FACT_VOCAB[fact])), max_size=size, unique=True)


# Start dates of the content (versions and outcomes): the search starts near them half of the time.
BOUNDARIES = [
    dt.date.fromisoformat(d)
    for d in (
        "2024-07-01",
        "2024-08-01",
        "2025-02-02",
        "2026-01-01",
        "2026-05-27",
        "2026-07-27",
        "2026-08-01",
        "2026-08-02",
        "2026-10-01",
        "2026-12-02",
        "2027-01-01",
        "2027-08-02",
        "2027-10-01",
        "2027-12-02",
        "2028-08-02",
        "2030-08-02",
    )
]
dates = st.dates(min_value=START, max_value=END)
near_boundary = st.tuples(st.sampled_from(BOUNDARIES), st.integers(-3, 0)).map(
    lambda pair: pair[0] + dt.timedelta(days=pair[1])
)
first_dates = st.one_of(dates, near_boundary)
steps = st.one_of(st.integers(min_value=0, max_value=7), st.integers(min_value=0, max_value=1500))
rarely = st.sampled_from([False, False, False, False, True])  # facts that are mostly not recorded
optional_dates = st.one_of(st.none(), dates.map(dt.date.isoformat))
bool_facts = sorted(
    name
    for name, kind in SYSTEM_FACTS.items()
    if kind == "bool" and name not in {"personal_data", "sensitive_data"}
)


@st.composite
def systems(draw) -> dict:
    facts = {
        "roles": draw(_subset("system.roles", 2)),
        "subjects_in": draw(
            st.lists(st.sampled_from(["CO", "CT", "MD", "CA", "EU", "DE"]), max_size=3, unique=True)
        ),
        "domains": draw(_subset("system.domains")),
        "capabilities": draw(_subset("system.capabilities")),
        "purposes": draw(_subset("system.purposes", 2)),
        "data_categories": draw(_subset("system.data_categories")),
        "decision_role": draw(st.sampled_from(sorted(FACT_VOCAB["system.decision_role"]))),
        "model_type": draw(st.sampled_from(sorted(FACT_VOCAB["system.model_type"]))),
        "lifecycle": draw(st.sampled_from(sorted(FACT_VOCAB["system.lifecycle"]))),
        "training_ops": draw(st.sampled_from([0, 5e24, 2e25, 2e26])),
        "employment_decision_kind": draw(
            st.one_of(
                st.none(), st.sampled_from(sorted(FACT_VOCAB["system.employment_decision_kind"]))
            )
        ),
        "placed_on_market_on": draw(optional_dates),
        "use_started_on": draw(optional_dates),
    }
    for name in bool_facts:
        facts[name] = draw(rarely)
    return system(**facts)


@st.composite
def orgs(draw) -> dict:
    return org(
        org_kind=draw(st.sampled_from(sorted(FACT_VOCAB["org.org_kind"]))),
        annual_revenue_usd=draw(st.sampled_from([1_000_000, 30_000_000, 60_000_000, 600_000_000])),
        consumers_personal_data=draw(st.sampled_from([1_000, 40_000, 150_000])),
        revenue_share_from_selling_data=draw(st.sampled_from([0.0, 0.6])),
        does_business_in=draw(
            st.lists(st.sampled_from(["CO", "CT", "MD", "CA", "EU"]), max_size=3, unique=True)
        ),
        agency_state=draw(st.sampled_from([None, "MD", "VA"])),
        md_exempt_unit=draw(st.sampled_from([None, "comptroller"])),
        business_status=draw(st.sampled_from([None, "for_profit", "nonprofit"])),
    )


def _evaluate(regime: str, facts: dict, org_facts: dict, on: dt.date):
    content = version_for_date(all_versions()[regime], on)
    if content is None or not content.applies_to_systems:
        return None
    return evaluate(facts=facts, org=org_facts, version=content, on=on)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    facts=systems(), org_facts=orgs(), first=dates, step=st.integers(min_value=0, max_value=1500)
)
def test_later_dates_never_turn_in_force_back_into_pending(facts, org_facts, first, step):
    later = first + dt.timedelta(days=step)
    for regime in REGIMES:
        before = _evaluate(regime, facts, org_facts, first)
        after = _evaluate(regime, facts, org_facts, later)
        for result, on in ((before, first), (after, later)):
            if result is not None and result.pending:
                assert result.in_force_from is not None and result.in_force_from > on
                assert f"from {result.in_force_from.isoformat()}" in result.headline
                assert (
                    result.next_change_on is not None
                    and result.next_change_on <= result.in_force_from
                )
            if result is not None and result.next_change_on is not None:
                assert result.next_change_on > on
        if before is not None and before.applies and not before.pending and after is not None:
            assert not after.pending, (
                f"{regime}: in force on {first} ({before.outcome}) but pending on {later} "
                f"({after.outcome} from {after.in_force_from})"
            )
