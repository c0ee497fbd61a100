"""The generic engine on a synthetic regime: precedence, roles, windows, obligations, rationale."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from regulations.engine import evaluate, version_for_date
from regulations.schema import parse_version
from tests.regulations.cases.profiles import all_versions, org, system

CITE = {"citation": "Art 1", "url": "https://example.org/law", "confidence": "H"}


def _rule(id_, kind, when, **extra):
    return {
        "id": id_,
        "kind": kind,
        "title": id_,
        "explanation": f"{id_} explained",
        "when": when,
        **CITE,
        **extra,
    }


BASE = {
    "regime": "zz",
    "regime_name": "Test regime",
    "version": "v1",
    "status": "in_force",
    "level": "eu",
    "effective_from": dt.date(2025, 1, 1),
    "sources": [{"title": "Official text", "url": "https://example.org/law", "confidence": "H"}],
    "roles": [{"code": "deployer", "label": "Deployer"}, {"code": "provider", "label": "Provider"}],
    "outcomes": [
        {"code": "banned", "label": "Banned", "risk_tier": "prohibited", "precedence": 1},
        {"code": "high", "label": "High", "risk_tier": "high", "high_risk": True, "precedence": 5},
        {"code": "low", "label": "Low", "risk_tier": "minimal", "precedence": 50},
        {"code": "na", "label": "N/A", "risk_tier": "not_applicable", "precedence": 99},
    ],
    "default_outcome": "low",
    "not_applicable_outcome": "na",
    "definitions": {"hr": {"fact": "system.domains", "op": "contains", "value": "employment"}},
    "rules": [
        _rule(
            "scope",
            "applicability",
            {"fact": "system.subjects_in", "op": "contains", "value": "EU"},
        ),
        _rule(
            "role-deployer",
            "role",
            {"fact": "system.roles", "op": "contains", "value": "deployer"},
            role="deployer",
        ),
        _rule(
            "role-provider",
            "role",
            {"fact": "system.roles", "op": "contains", "value": "provider"},
            role="provider",
        ),
        # listed first but with a weaker outcome: precedence, not file order, must decide
        _rule("hr-high", "classification", {"ref": "hr"}, outcome="high", outcome_label="High: HR"),
        _rule(
            "scoring-banned",
            "classification",
            {"fact": "system.capabilities", "op": "contains", "value": "social_scoring"},
            outcome="banned",
        ),
    ],
    "obligations": [
        {
            "id": "dep-duty",
            "title": "Deployer duty",
            "who": ["deployer"],
            "what": "Do it.",
            "cadence": [{"kind": "ongoing"}],
            "when": {"fact": "result.high_risk", "op": "is_true"},
            "effective_from": dt.date(2027, 12, 2),
            "effective_from_overrides": [
                {
                    "when": {
                        "fact": "system.capabilities",
                        "op": "contains",
                        "value": "safety_component",
                    },
                    "effective_from": dt.date(2028, 8, 2),
                }
            ],
            "assessment_template": "ia",
            **CITE,
        },
        {
            "id": "prov-duty",
            "title": "Provider duty",
            "who": ["provider"],
            "what": "Do it.",
            "cadence": [{"kind": "one_off", "due": "2026-01-01"}],
            **CITE,
        },
        {
            "id": "cure",
            "title": "Cure window",
            "who": ["all"],
            "what": "Cure.",
            "cadence": [{"kind": "event", "due": "within:60d of AG notice"}],
            "effective_to": dt.date(2027, 12, 31),
            **CITE,
        },
    ],
    "deadlines": [
        {
            "id": "hr-date",
            "title": "HR duties",
            "kind": "statutory",
            "date": dt.date(2027, 12, 2),
            "obligations": ["dep-duty"],
            **CITE,
        },
        {
            "id": "annual",
            "title": "Annual review",
            "kind": "recurring",
            "rrule": "DTSTART:20250101\nRRULE:FREQ=YEARLY",
            "applies_when": {"fact": "result.roles", "op": "contains", "value": "provider"},
            **CITE,
        },
    ],
    "templates": [
        {
            "id": "ia",
            "title": "Impact assessment",
            "kind": "assessment",
            "status": "current",
            **CITE,
            "sections": [
                {
                    "id": "s1",
                    "title": "Purpose",
                    "questions": [
                        {
                            "id": "q1",
                            "text": "Purpose?",
                            "type": "text",
                            "required": True,
                            "prefill": "description",
                            "citation": "Art 1",
                            "confidence": "H",
                        }
                    ],
                }
            ],
        },
    ],
    "vendor_checklist": [
        {
            "id": "docs",
            "title": "Docs",
            "description": "Instructions.",
            "applies_when": {"fact": "result.high_risk", "op": "is_true"},
            **CITE,
        },
        {"id": "always", "title": "Contract", "description": "DPA.", **CITE},
    ],
}
ON = dt.date(2026, 11, 24)


def _version(**changes):
    data = copy.deepcopy(BASE)
    data.update(changes)
    return parse_version(data, source="test.yaml", stem=data["version"])


def _eval(facts, on=ON, **changes):
    return evaluate(facts=facts, org=org(), version=_version(**changes), on=on)


def test_precedence_beats_file_order():
    result = _eval(
        system(subjects_in=["EU"], domains=["employment"], capabilities=["social_scoring"])
    )
    assert result.outcome == "banned" and result.deciding_rule == "zz.v1.rule.scoring-banned"
    # both classification rules were evaluated and recorded as met
    met = {r.rule_id for r in result.rationale if r.met}
    assert {"zz.v1.rule.hr-high", "zz.v1.rule.scoring-banned"} <= met


def test_label_override_and_default_outcome():
    assert _eval(system(subjects_in=["EU"], domains=["employment"])).outcome_label == "High: HR"
    low = _eval(system(subjects_in=["EU"], domains=["marketing"]))
    assert (low.outcome, low.outcome_label, low.risk_tier, low.high_risk) == (
        "low",
        "Low",
        "minimal",
        False,
    )
    assert low.deciding_rule is None


def test_not_applicable_when_an_applicability_rule_fails():
    result = _eval(system(subjects_in=["CO"], domains=["employment"]))
    assert not result.applies and result.outcome == "na" and result.roles == []
    assert (
        result.triggered_obligations == []
        and result.checklist_items == []
        and result.deadlines == []
    )
    scope = next(r for r in result.rationale if r.rule_id == "zz.v1.rule.scope")
    assert not scope.met and scope.deciding_fact == "system.subjects_in = {CO} ∌ EU"


def test_rationale_lists_every_rule_and_obligation():
    version = _version()
    result = evaluate(facts=system(subjects_in=["EU"]), org=org(), version=version, on=ON)
    ids = [r.rule_id for r in result.rationale]
    assert ids[0] == "zz.v1.window"
    assert set(ids) == {
        "zz.v1.window",
        *(r.id for r in version.rules),
        *(o.id for o in version.obligations),
    }
    for row in result.rationale:
        assert row.deciding_fact and row.citation and row.url and row.confidence


def test_obligations_follow_roles_and_future_dates():
    result = _eval(system(roles=["deployer"], subjects_in=["EU"], domains=["employment"]))
    by_id = {o.id: o for o in result.obligations}
    assert set(by_id) == {"zz.v1.obligation.dep-duty", "zz.v1.obligation.cure"}
    duty = by_id["zz.v1.obligation.dep-duty"]
    assert (
        duty.effective_from == dt.date(2027, 12, 2) and duty.in_force is False
    )  # triggered with a future date
    assert result.templates == ["zz.v1.template.ia"]
    assert result.checklist_items == ["zz.v1.checklist.docs", "zz.v1.checklist.always"]
    assert result.deadlines == ["zz.v1.deadline.hr-date"]
    row = next(r for r in result.rationale if r.rule_id == "zz.v1.obligation.prov-duty")
    assert not row.met and row.deciding_fact == "owed by provider; our roles: deployer"


def test_effective_from_override():
    result = _eval(
        system(subjects_in=["EU"], domains=["employment"], capabilities=["safety_component"])
    )
    duty = next(o for o in result.obligations if o.id.endswith("dep-duty"))
    assert duty.effective_from == dt.date(2028, 8, 2)


def test_obligation_past_its_end_is_not_triggered():
    facts = system(subjects_in=["EU"], roles=["provider"])
    assert "zz.v1.obligation.cure" in _eval(facts, on=dt.date(2027, 12, 31)).triggered_obligations
    late = _eval(facts, on=dt.date(2028, 1, 1))
    assert "zz.v1.obligation.cure" not in late.triggered_obligations
    assert late.deadlines == [
        "zz.v1.deadline.annual"
    ]  # unlinked deadline gated by applies_when only


def test_pending_version_is_evaluated_prospectively():
    result = _eval(
        system(subjects_in=["EU"], domains=["employment"]),
        effective_from=dt.date(2027, 1, 1),
        status="pending",
    )
    assert result.applies and result.outcome == "high"
    assert "not yet in force" in result.rationale[0].deciding_fact


def test_never_in_force_and_expired_windows():
    facts = system(subjects_in=["EU"], domains=["employment"])
    never = _eval(
        facts,
        status="repealed",
        effective_from=dt.date(2026, 6, 30),
        effective_to=dt.date(2026, 5, 14),
    )
    assert (
        not never.applies
        and never.outcome == "na"
        and "never in force" in never.rationale[0].deciding_fact
    )
    expired = _eval(
        facts, status="superseded", effective_to=dt.date(2026, 7, 26), superseded_by="v2"
    )
    assert not expired.applies and "superseded by v2" in expired.rationale[0].deciding_fact
    assert _eval(
        facts,
        on=dt.date(2026, 7, 1),
        status="superseded",
        effective_to=dt.date(2026, 7, 26),
        superseded_by="v2",
    ).applies


def test_regime_neutral_content_never_applies():
    result = _eval(system(subjects_in=["EU"]), applies_to_systems=False, level="none")
    assert not result.applies and result.outcome == "na"


def test_to_dict_is_json():
    data = _eval(system(subjects_in=["EU"], domains=["employment"])).to_dict()
    text = json.dumps(data)
    assert '"effective_from": "2027-12-02"' in text and data["on"] == "2026-11-24"


def test_no_law_in_the_engine_module():
    """Outcome codes, thresholds and dates live in YAML: the engine source names none of them."""
    from pathlib import Path

    import regulations.engine as engine

    source = Path(engine.__file__).read_text()
    for token in (
        "annex",
        "employment",
        "2027",
        "1e26",
        "1e25",
        "covered",
        "prohibited",
        "high_risk_annex",
    ):
        assert token not in source.lower(), token


@pytest.mark.parametrize(
    ("regime", "on", "expected"),
    [
        ("co", dt.date(2026, 11, 24), "sb26-189"),  # SB 24-205 never in force; SB 26-189 pending
        ("co", dt.date(2027, 6, 1), "sb26-189"),
        ("eu", dt.date(2026, 3, 1), "2024-1689-original"),  # before the Omnibus entered into force
        ("eu", dt.date(2026, 11, 24), "2024-1689-omnibus"),
        ("md", dt.date(2026, 11, 24), "sb818"),
    ],
)
def test_version_for_date_with_real_content(regime, on, expected):
    """The law version governing a date; its latest revision (same law, same dates) is the one read."""
    originals = [v for v in all_versions()[regime] if not v.version.endswith("-r2")]
    assert version_for_date(originals, on).version == expected
    assert version_for_date(all_versions()[regime], on).version == f"{expected}-r2"


def test_a_revision_supersedes_its_same_day_version_whatever_the_file_order():
    eu = all_versions()["eu"]
    on = dt.date(2026, 12, 4)
    assert version_for_date(eu, on).version == "2024-1689-omnibus-r2"
    assert version_for_date(list(reversed(eu)), on).version == "2024-1689-omnibus-r2"


def test_rebuilt_versions_evaluate_identically():
    """The Django side rebuilds a version from stored JSON: results must not change (dates as ISO text)."""
    from regulations.schema import RegimeVersion
    from tests.regulations.cases.profiles import TODAY

    facts = system(
        subjects_in=["EU", "CO", "CT", "MD", "CA"],
        domains=["employment", "lending_financial"],
        decision_role="sole",
        data_categories=["employment", "health"],
        profiling=True,
        procured_on="2025-01-01",
        roles=["deployer", "developer"],
        training_ops=3e26,
        model_type="general_purpose",
    )
    profile = org(
        org_kind="state_agency", annual_revenue_usd=700_000_000, does_business_in=["CA", "MD", "EU"]
    )
    for versions in all_versions().values():
        for version in versions:
            rebuilt = RegimeVersion.model_validate(
                json.loads(json.dumps(version.model_dump(mode="json")))
            )
            for on in (TODAY, dt.date(2027, 6, 1), dt.date(2028, 9, 1)):
                a = evaluate(facts=facts, org=profile, version=version, on=on).to_dict()
                b = evaluate(facts=facts, org=profile, version=rebuilt, on=on).to_dict()
                assert a == b, (version.regime, version.version, on)
