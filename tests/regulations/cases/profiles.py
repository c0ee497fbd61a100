"""Shared helpers for the classification table: load the real content and build fact profiles."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from regulations.engine import version_for_date
from regulations.schema import RegimeVersion, load_version_file

CONTENT = Path(__file__).resolve().parents[3] / "regulations" / "content"
TODAY = dt.date(2026, 11, 24)  # "law as of" date of the reference

BASE_SYSTEM = {
    "roles": ["deployer"],
    "subjects_in": [],
    "domains": [],
    "decision_role": "none",
    "human_review": False,
    "capabilities": [],
    "consumer_facing": False,
    "interacts_with_persons": False,
    "data_categories": [],
    "personal_data": False,
    "sensitive_data": False,
    "profiling": False,
    "basic_software": False,
    "art6_3_claim": False,
    "training_ops": 0,
    "model_type": "ml_classifier",
    "lifecycle": "in_use",
    "purposes": [],
    "art6_3_narrow_procedural": False,
    "art6_3_improves_human_activity": False,
    "art6_3_detects_patterns": False,
    "art6_3_preparatory": False,
    "art25_own_name": False,
    "art25_substantial_modification": False,
    "art25_repurposed_high_risk": False,
    "open_source": False,
    "placed_on_market_on": None,
    "significant_design_change": False,
    "use_started_on": None,
    "systematic_observation": False,
    "employment_decision_kind": None,
    "insurer_regulated_use": False,
    "hipaa_covered_use": False,
    "federally_approved_use": False,
    "regulated_creditor_notice": False,
    "ferpa_process": False,
    "informational_chatbot_excluded": False,
}
BASE_ORG = {
    "org_kind": "private",
    "employees": 250,
    "annual_revenue_usd": 10_000_000,
    "consumers_personal_data": 5_000,
    "consumers_sensitive_data": 0,
    "revenue_share_from_selling_data": 0.0,
    "does_business_in": [],
    "agency_state": None,
    "org_unit": None,
    "md_exempt_unit": None,
    "revenue_incl_affiliates_usd": None,
    "business_status": None,
}
SENSITIVE = {
    "health", "biometric", "genetic", "racial_ethnic", "religious", "sexual_orientation",
    "political", "union_membership", "children", "government_id", "criminal",
}  # fmt: skip


@lru_cache(maxsize=1)
def all_versions() -> dict[str, list[RegimeVersion]]:
    by_regime: dict[str, list[RegimeVersion]] = {}
    for path in sorted(CONTENT.glob("*/*.yaml")):
        version = load_version_file(path)
        by_regime.setdefault(version.regime, []).append(version)
    return by_regime


def version(regime: str, on: dt.date, name: str | None = None) -> RegimeVersion:
    """The named version, or the one governing `on` (as the Django side picks it)."""
    candidates = all_versions()[regime]
    if name:
        return next(v for v in candidates if v.version == name)
    chosen = version_for_date(candidates, on)
    assert chosen is not None, f"no {regime} version governs {on}"
    return chosen


def system(**overrides) -> dict:
    """Facts as AISystem.facts() gives them; personal/sensitive flags follow data_categories."""
    facts = {**BASE_SYSTEM, **overrides}
    cats = set(facts["data_categories"])
    facts.setdefault("personal_data", bool(cats))
    if "personal_data" not in overrides:
        facts["personal_data"] = bool(cats)
    if "sensitive_data" not in overrides:
        facts["sensitive_data"] = bool(cats & SENSITIVE)
    return facts


def org(**overrides) -> dict:
    return {**BASE_ORG, **overrides}
