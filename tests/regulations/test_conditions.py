"""The condition language: every operator, the deciding-fact text, unknown facts, and vocabulary drift."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regulations.conditions import (
    FACT_VOCAB,
    OPTIONAL_SYSTEM_FACTS,
    ORG_FACTS,
    SYSTEM_FACTS,
    ConditionError,
    Context,
    evaluate_condition,
    validate_condition,
)

SYSTEM = {
    "decision_role": "substantial_factor",
    "domains": ["employment", "education"],
    "subjects_in": ["CO", "EU"],
    "profiling": True,
    "basic_software": False,
    "training_ops": 2e26,
}
ORG = {"org_kind": "private", "employees": 40, "does_business_in": ["CA"]}
ON = dt.date(2026, 11, 24)


def ev(cond, **result):
    return evaluate_condition(cond, Context(system=SYSTEM, org=ORG, on=ON, result=result))


@pytest.mark.parametrize(
    ("cond", "met", "text"),
    [
        (
            {
                "fact": "system.decision_role",
                "op": "in",
                "value": ["sole", "substantial_factor", "material_influence"],
            },
            True,
            "system.decision_role = substantial_factor ∈ {sole, substantial_factor, material_influence}",
        ),
        (
            {"fact": "system.decision_role", "op": "not_in", "value": ["sole"]},
            True,
            "system.decision_role = substantial_factor ∉ {sole}",
        ),
        (
            {"fact": "system.decision_role", "op": "eq", "value": "sole"},
            False,
            "system.decision_role = substantial_factor ≠ sole",
        ),
        (
            {"fact": "system.decision_role", "op": "ne", "value": "sole"},
            True,
            "system.decision_role = substantial_factor ≠ sole",
        ),
        (
            {"fact": "system.subjects_in", "op": "contains", "value": "CO"},
            True,
            "system.subjects_in = {CO, EU} ∋ CO",
        ),
        (
            {"fact": "system.subjects_in", "op": "contains", "value": "CT"},
            False,
            "system.subjects_in = {CO, EU} ∌ CT",
        ),
        (
            {"fact": "system.domains", "op": "intersects", "value": ["housing", "education"]},
            True,
            "system.domains = {employment, education} ∩ {housing, education} = {education}",
        ),
        (
            {"fact": "system.domains", "op": "intersects", "value": ["housing"]},
            False,
            "system.domains = {employment, education} ∩ {housing} = ∅",
        ),
        (
            {
                "fact": "system.domains",
                "op": "subset_of",
                "value": ["employment", "education", "housing"],
            },
            True,
            "⊆",
        ),
        ({"fact": "system.domains", "op": "subset_of", "value": ["employment"]}, False, "⊄"),
        (
            {"fact": "system.training_ops", "op": "gt", "value": 1e26},
            True,
            "system.training_ops = 2e+26 > 1e+26",
        ),
        (
            {"fact": "system.training_ops", "op": "gt", "value": 2e26},
            False,
            "system.training_ops = 2e+26 ≤ 2e+26",
        ),
        ({"fact": "system.training_ops", "op": "gte", "value": 2e26}, True, "≥"),
        ({"fact": "org.employees", "op": "lt", "value": 50}, True, "org.employees = 40 < 50"),
        ({"fact": "org.employees", "op": "lte", "value": 39}, False, "org.employees = 40 > 39"),
        ({"fact": "system.profiling", "op": "is_true"}, True, "system.profiling = true"),
        (
            {"fact": "system.basic_software", "op": "is_true"},
            False,
            "system.basic_software = false",
        ),
        (
            {"fact": "system.basic_software", "op": "is_false"},
            True,
            "system.basic_software = false",
        ),
        ({"fact": "system.training_ops", "op": "exists"}, True, "system.training_ops is recorded"),
        (
            {"fact": "system.procured_on", "op": "exists"},
            False,
            "system.procured_on is not recorded",
        ),
        (
            {"fact": "on", "op": "gte", "value": dt.date(2027, 1, 1)},
            False,
            "on = 2026-11-24 < 2027-01-01",
        ),
        (
            {"fact": "on", "op": "gte", "value": "2026-08-02"},
            True,
            "on = 2026-11-24 ≥ 2026-08-02",
        ),  # ISO text after JSON
        ({"fact": "org.org_kind", "op": "eq", "value": "private"}, True, "org.org_kind = private"),
    ],
)
def test_leaf_operators(cond, met, text):
    got_met, got_text = ev(cond)
    assert got_met is met
    assert text in got_text


def test_branches_and_deciding_fact():
    cond = {
        "all": [
            {"fact": "system.subjects_in", "op": "contains", "value": "CO"},
            {
                "any": [
                    {"fact": "system.profiling", "op": "is_false"},
                    {"fact": "org.employees", "op": "gte", "value": 50},
                ]
            },
        ]
    }
    met, text = ev(cond)
    assert not met
    assert text == "none of: system.profiling = true; org.employees = 40 < 50"
    met, text = ev({"not": cond})
    assert met and "org.employees = 40 < 50" in text
    met, text = ev(
        {
            "all": [
                {"fact": "system.profiling", "op": "is_true"},
                {"fact": "org.employees", "op": "lt", "value": 50},
            ]
        }
    )
    assert met and text == "system.profiling = true and org.employees = 40 < 50"


def test_missing_fact_satisfies_nothing():
    for op, value in [("eq", "x"), ("ne", "x"), ("lt", "2026-02-01"), ("is_false", None)]:
        cond = {"fact": "system.procured_on", "op": op}
        if value is not None:
            cond["value"] = value
        met, text = ev(cond)
        assert not met and "not recorded" in text
    # so a negation is the conservative default (e.g. Maryland MD-03 when the procurement date is unknown)
    assert ev({"not": {"fact": "system.procured_on", "op": "lt", "value": "2026-02-01"}})[0]


def test_refs_use_definitions():
    ctx = Context(
        system=SYSTEM,
        org=ORG,
        on=ON,
        definitions={"hr": {"fact": "system.domains", "op": "contains", "value": "employment"}},
    )
    met, text = evaluate_condition({"ref": "hr"}, ctx)
    assert met and text.startswith("hr: system.domains")
    with pytest.raises(ConditionError):
        evaluate_condition({"ref": "nope"}, ctx)


def test_result_namespace_and_matched_shown_by_slug():
    met, text = ev(
        {"fact": "result.matched", "op": "contains", "value": "eu.v.rule.annex-iii-2"},
        matched=["eu.v.rule.annex-iii-4"],
    )
    assert not met and text == "result.matched = {annex-iii-4} ∌ annex-iii-2"


def test_none_condition_holds():
    assert evaluate_condition(None, Context(system={}, org={}, on=ON)) == (True, "no condition")


@pytest.mark.parametrize(
    ("cond", "path", "message"),
    [
        (
            {"fact": "system.domains", "op": "equals", "value": "x"},
            "op",
            "unknown operator 'equals'",
        ),
        (
            {"fact": "system.colour", "op": "eq", "value": "x"},
            "fact",
            "unknown fact 'system.colour'",
        ),
        ({"fact": "os.system", "op": "eq", "value": "x"}, "fact", "unknown fact 'os.system'"),
        (
            {"fact": "result.outcome", "op": "eq", "value": "x"},
            "fact",
            "unknown fact 'result.outcome'",
        ),
        (
            {"fact": "system.domains", "op": "intersects", "value": "employment"},
            "value",
            "needs a non-empty list",
        ),
        (
            {"fact": "system.domains", "op": "contains", "value": "employmnt"},
            "value",
            "unknown value(s) ['employmnt']",
        ),
        (
            {"fact": "system.decision_role", "op": "intersects", "value": ["sole"]},
            "op",
            "needs a list fact",
        ),
        ({"fact": "system.profiling", "op": "is_true", "value": True}, "value", "takes no value"),
        ({"fact": "system.domains", "op": "is_true"}, "op", "needs a true/false fact"),
        (
            {"fact": "system.training_ops", "op": "gt", "value": "lots"},
            "value",
            "expected a number",
        ),
        ({"fact": "system.domains", "op": "eq"}, "value", "needs a value"),
        ({"op": "eq", "value": 1}, "fact", "missing key 'fact'"),
        ({"fact": "on", "op": "gte", "value": 1, "extra": 1}, "extra", "unknown key 'extra'"),
        ({"all": [], "any": []}, "", "exactly one key"),
        (
            {
                "all": [
                    {"fact": "system.profiling", "op": "is_true"},
                    {"not": {"fact": "x", "op": "eq", "value": 1}},
                ]
            },
            "all.1.not.fact",
            "unknown fact 'x'",
        ),
        ("system.profiling == True", "", "expected a mapping"),
    ],
)
def test_validation_errors_have_paths(cond, path, message):
    errors = validate_condition(cond, path="", namespaces={"system", "org", "on"})
    assert errors, "expected an error"
    assert any(e.path == path and message in e.message for e in errors), [str(e) for e in errors]


def test_system_facts_match_the_inventory():
    from inventory.models import AISystem

    keys = set(AISystem().facts())
    # every fact the content relies on is provided; the optional ones may be added to facts() later
    assert set(SYSTEM_FACTS) <= keys <= set(SYSTEM_FACTS) | set(OPTIONAL_SYSTEM_FACTS)
    assert not set(OPTIONAL_SYSTEM_FACTS) & set(SYSTEM_FACTS)


def test_org_facts_match_the_organisation_profile():
    from regulations.models import Organisation

    assert set(Organisation().facts()) == set(ORG_FACTS)


def test_vocabularies_match_the_inventory():
    from inventory import vocab
    from regulations.models.org import BUSINESS_JURISDICTIONS, OrgKind

    assert FACT_VOCAB["system.roles"] == set(vocab.OurRole.values)
    assert FACT_VOCAB["system.domains"] == set(vocab.Domain.values)
    assert FACT_VOCAB["system.decision_role"] == set(vocab.DecisionRole.values)
    assert FACT_VOCAB["system.capabilities"] == set(vocab.Capability.values)
    assert FACT_VOCAB["system.data_categories"] == set(vocab.DataCategory.values)
    assert FACT_VOCAB["system.model_type"] == set(vocab.ModelType.values)
    assert FACT_VOCAB["system.subjects_in"] == set(vocab.Jurisdiction.values)
    assert FACT_VOCAB["system.purposes"] == set(vocab.Purpose.values)
    assert FACT_VOCAB["system.employment_decision_kind"] == set(vocab.EmploymentDecision.values)
    from inventory.models import AISystem

    assert FACT_VOCAB["system.lifecycle"] == set(AISystem.Lifecycle.values)
    assert FACT_VOCAB["org.org_kind"] == set(OrgKind.values)
    assert FACT_VOCAB["org.does_business_in"] == {code for code, _ in BUSINESS_JURISDICTIONS}
    from regulations.models.org import BusinessStatus, MarylandExemptUnit

    assert FACT_VOCAB["org.business_status"] == set(BusinessStatus.values)
    assert FACT_VOCAB["org.md_exempt_unit"] == set(MarylandExemptUnit.values)


def test_prefill_keys_exist_on_the_system():
    from inventory.models import AISystem
    from regulations.schema import PREFILL_KEYS

    fields = {f.name for f in AISystem._meta.get_fields()}
    assert fields | set(AISystem().facts()) >= PREFILL_KEYS


# ---------------------------------------------------------------- properties (hypothesis)


LIST_FACTS = [
    "system.domains",
    "system.capabilities",
    "system.data_categories",
    "system.subjects_in",
]
SCALAR_FACTS = ["system.decision_role", "system.model_type", "org.org_kind"]


def _vocab(fact):
    return st.sampled_from(sorted(FACT_VOCAB[fact]))


def _leaf():
    list_leaf = st.sampled_from(LIST_FACTS).flatmap(
        lambda f: st.one_of(
            st.fixed_dictionaries(
                {
                    "fact": st.just(f),
                    "op": st.sampled_from(["intersects", "subset_of"]),
                    "value": st.lists(_vocab(f), min_size=1, max_size=3),
                }
            ),
            st.fixed_dictionaries(
                {"fact": st.just(f), "op": st.just("contains"), "value": _vocab(f)}
            ),
        )
    )
    scalar_leaf = st.sampled_from(SCALAR_FACTS).flatmap(
        lambda f: st.one_of(
            st.fixed_dictionaries(
                {"fact": st.just(f), "op": st.sampled_from(["eq", "ne"]), "value": _vocab(f)}
            ),
            st.fixed_dictionaries(
                {
                    "fact": st.just(f),
                    "op": st.sampled_from(["in", "not_in"]),
                    "value": st.lists(_vocab(f), min_size=1, max_size=3),
                }
            ),
        )
    )
    bool_leaf = st.fixed_dictionaries(
        {
            "fact": st.sampled_from(
                ["system.profiling", "system.basic_software", "system.human_review"]
            ),
            "op": st.sampled_from(["is_true", "is_false", "exists"]),
        }
    )
    number_leaf = st.fixed_dictionaries(
        {
            "fact": st.sampled_from(
                ["system.training_ops", "org.employees", "org.annual_revenue_usd"]
            ),
            "op": st.sampled_from(["gt", "gte", "lt", "lte"]),
            "value": st.floats(min_value=0, max_value=1e27, allow_nan=False),
        }
    )
    return st.one_of(list_leaf, scalar_leaf, bool_leaf, number_leaf)


conditions = st.recursive(
    _leaf(),
    lambda inner: st.one_of(
        st.fixed_dictionaries({"all": st.lists(inner, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"any": st.lists(inner, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"not": inner}),
    ),
    max_leaves=8,
)
facts = st.fixed_dictionaries(
    {
        "domains": st.lists(_vocab("system.domains"), max_size=3, unique=True),
        "capabilities": st.lists(_vocab("system.capabilities"), max_size=3, unique=True),
        "data_categories": st.lists(_vocab("system.data_categories"), max_size=3, unique=True),
        "subjects_in": st.lists(_vocab("system.subjects_in"), max_size=3, unique=True),
        "decision_role": _vocab("system.decision_role"),
        "model_type": _vocab("system.model_type"),
        "profiling": st.booleans(),
        "basic_software": st.booleans(),
        "training_ops": st.floats(min_value=0, max_value=1e27, allow_nan=False),
    }
)
orgs = st.fixed_dictionaries(
    {
        "org_kind": _vocab("org.org_kind"),
        "employees": st.integers(min_value=0, max_value=100_000),
        "annual_revenue_usd": st.integers(min_value=0, max_value=10**10),
    }
)


@settings(max_examples=200, deadline=None)
@given(cond=conditions, system=facts, org=orgs)
def test_generated_conditions_validate_evaluate_and_negate(cond, system, org):
    assert validate_condition(cond, namespaces={"system", "org", "on"}) == []
    ctx = Context(system=system, org=org, on=ON)
    met, text = evaluate_condition(cond, ctx)
    assert isinstance(met, bool) and isinstance(text, str) and text
    assert evaluate_condition({"not": cond}, ctx)[0] is (not met)
    # all/any of a single condition agree with the condition itself
    assert evaluate_condition({"all": [cond]}, ctx)[0] is met
    assert evaluate_condition({"any": [cond]}, ctx)[0] is met


@pytest.mark.parametrize(
    ("op", "value"),
    [
        ("intersects", [["nested"]]),
        ("intersects", [{"a": 1}]),
        ("contains", ["zz.v.rule.real"]),
        ("contains", {"a": 1}),
    ],
)
def test_rule_id_condition_with_a_non_text_value_is_an_error_not_a_crash(op, value):
    """Found by the content-loader property test: a list or mapping where a rule id belongs."""
    cond = {"fact": "result.matched", "op": op, "value": value}
    errors = validate_condition(
        cond, namespaces={"system", "org", "on", "result"}, rule_ids={"zz.v.rule.real"}
    )
    assert any("unknown rule id" in str(e) for e in errors)
