"""A small, safe condition language as data (all / any / not / ref over fact comparisons), never eval."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# The system facts the content may read: the keys of inventory.models.AISystem.facts()
# (tests/regulations/test_conditions.py checks they stay in step), plus OPTIONAL_SYSTEM_FACTS,
# which the inventory does not record yet; a missing fact is "not recorded" and satisfies no comparison.
SYSTEM_FACTS: dict[str, str] = {
    "roles": "list",
    "subjects_in": "list",
    "domains": "list",
    "decision_role": "str",
    "human_review": "bool",
    "capabilities": "list",
    "consumer_facing": "bool",
    "interacts_with_persons": "bool",
    "data_categories": "list",
    "personal_data": "bool",
    "sensitive_data": "bool",
    "profiling": "bool",
    "basic_software": "bool",
    "art6_3_claim": "bool",
    "training_ops": "number",
    "model_type": "str",
    "lifecycle": "str",
    "purposes": "list",  # EU Annex III intended purposes
    "art6_3_narrow_procedural": "bool",
    "art6_3_improves_human_activity": "bool",
    "art6_3_detects_patterns": "bool",
    "art6_3_preparatory": "bool",
    "art25_own_name": "bool",
    "art25_substantial_modification": "bool",
    "art25_repurposed_high_risk": "bool",
    "open_source": "bool",
    "placed_on_market_on": "date",
    "significant_design_change": "bool",
    "use_started_on": "date",
    "systematic_observation": "bool",
    "employment_decision_kind": "str",
    "insurer_regulated_use": "bool",
    "hipaa_covered_use": "bool",
    "federally_approved_use": "bool",
    "regulated_creditor_notice": "bool",
    "ferpa_process": "bool",
    "informational_chatbot_excluded": "bool",
}
OPTIONAL_SYSTEM_FACTS: dict[str, str] = {
    "excluded_purposes": "list",  # EU Art 2 exclusions, Maryland research-only use
    "procured_on": "date",  # Maryland §3.5-803(e): procured before/after 2026-02-01
}
ORG_FACTS: dict[str, str] = {
    "org_kind": "str",
    "employees": "number",
    "annual_revenue_usd": "number",
    "consumers_personal_data": "number",
    "consumers_sensitive_data": "number",
    "revenue_share_from_selling_data": "number",
    "does_business_in": "list",
    "agency_state": "str",  # the US state a public agency belongs to
    "org_unit": "str",
    "md_exempt_unit": "str",  # Maryland §3.5-802: AG's Office, Comptroller, Treasurer
    "revenue_incl_affiliates_usd": "number",  # SB 53 (B&P §22757.11)
    "business_status": "str",  # CCPA: for_profit, nonprofit, service_provider
}
# Facts about the evaluation itself, available once the engine has determined them.
RESULT_FACTS: dict[str, str] = {
    "roles": "list",  # regime roles from the role rules
    "outcome": "str",
    "risk_tier": "str",
    "high_risk": "bool",
    "matched": "list",  # ids of every rule whose condition was met
}

# Closed vocabularies (mirrors inventory/vocab.py and regulations/models/org.py; a test keeps them equal).
FACT_VOCAB: dict[str, set[str]] = {
    "system.roles": {"developer", "deployer", "provider", "importer_distributor", "public_agency"},
    "system.domains": {
        "employment", "education", "housing", "lending_financial", "insurance",
        "insurance_life_health", "healthcare", "legal_services", "essential_gov_services",
        "critical_infrastructure", "biometrics", "law_enforcement", "migration", "justice",
        "democratic_processes", "marketing", "customer_service", "software_engineering",
        "productivity", "security",
    },
    "system.decision_role": {
        "sole", "substantial_factor", "material_influence", "supportive", "incidental", "none",
    },
    "system.capabilities": {
        "chatbot", "companion_chatbot", "synthetic_content", "deep_fake", "public_interest_text",
        "emotion_recognition", "biometric_categorisation", "remote_biometric_id",
        "realtime_remote_biometric_id_public", "manipulative_techniques",
        "exploits_vulnerabilities", "social_scoring", "crime_prediction_profiling",
        "facial_image_scraping", "ncii", "csam", "safety_component", "credit_scoring",
        "fraud_detection", "recruitment_screening", "performance_monitoring",
        "emergency_triage", "insurance_pricing", "exam_proctoring", "tool_use", "retrieval",
    },
    "system.data_categories": {
        "contact", "identifiers", "financial", "employment", "education", "location",
        "behavioural", "communications", "health", "biometric", "genetic", "racial_ethnic",
        "religious", "sexual_orientation", "political", "union_membership", "children",
        "government_id", "criminal",
    },
    "system.model_type": {
        "general_purpose", "generative_app", "ml_classifier", "recommender", "computer_vision",
        "speech", "rules", "other",
    },
    "system.lifecycle": {"planned", "in_development", "in_use", "retired"},
    "system.purposes": {
        "education_admission", "learning_evaluation", "education_level", "recruitment_selection",
        "work_relationship_decisions", "public_benefits_eligibility", "creditworthiness",
        "life_health_insurance_pricing",
    },
    "system.employment_decision_kind": {
        "consequential", "scheduling", "productivity_monitoring", "minor_changes", "health_safety",
    },
    "org.md_exempt_unit": {"attorney_general", "comptroller", "treasurer"},
    "org.business_status": {"for_profit", "nonprofit", "service_provider"},
    "system.excluded_purposes": {
        "military", "defence", "national_security", "scientific_research", "personal_use",
        "pre_market_testing", "research_or_academic",
    },
    "org.org_kind": {
        "private", "eu_public_body", "private_public_service", "state_agency", "higher_ed",
        "local_government",
    },
    "org.does_business_in": {"CO", "CT", "MD", "CA", "EU"},
}  # fmt: skip
FACT_VOCAB["system.subjects_in"] = {
    "CO", "CT", "MD", "CA", "EU", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR",
    "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI",
    "ES", "SE",
}  # fmt: skip

LIST_OPS = {"in", "not_in", "intersects", "subset_of"}
SCALAR_OPS = {"eq", "ne", "contains"}
ORDER_OPS = {"gt", "gte", "lt", "lte"}
UNARY_OPS = {"is_true", "is_false", "exists"}
OPERATORS = LIST_OPS | SCALAR_OPS | ORDER_OPS | UNARY_OPS
BRANCH_KEYS = {"all", "any", "not", "ref"}
LEAF_KEYS = {"fact", "op", "value"}


class ConditionError(ValueError):
    """A malformed condition; `path` is the dotted path of the bad key inside the condition."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


@dataclass
class Context:
    """What a condition can read: system facts, org facts, the evaluation date and engine results."""

    system: Mapping[str, Any]
    org: Mapping[str, Any]
    on: dt.date
    result: dict[str, Any] = field(default_factory=dict)
    definitions: Mapping[str, Any] = field(default_factory=dict)


def fact_type(name: str, *, namespaces: set[str]) -> str:
    """The declared type of a fact name, or raise ValueError naming the allowed facts."""
    if name == "on" and "on" in namespaces:
        return "date"
    ns, _, key = name.partition(".")
    tables = {
        "system": {**SYSTEM_FACTS, **OPTIONAL_SYSTEM_FACTS},
        "org": ORG_FACTS,
        "result": RESULT_FACTS,
    }
    if ns not in tables or ns not in namespaces or not key:
        allowed = ", ".join(sorted(f"{n}.<key>" if n != "on" else "on" for n in namespaces))
        raise ValueError(f"unknown fact {name!r} (expected one of {allowed})")
    if key not in tables[ns]:
        raise ValueError(f"unknown fact {name!r} (known: {', '.join(sorted(tables[ns]))})")
    return tables[ns][key]


def validate_condition(
    cond: Any,
    *,
    path: str = "",
    namespaces: set[str] | frozenset[str] = frozenset({"system", "org", "on"}),
    definitions: Mapping[str, Any] | None = None,
    rule_ids: set[str] | None = None,
) -> list[ConditionError]:
    """Every problem in a condition, each with its dotted path; an empty list means valid."""
    errors: list[ConditionError] = []
    ns = set(namespaces)

    def at(*parts: Any) -> str:
        return ".".join(str(p) for p in (path, *parts) if p != "")

    if not isinstance(cond, Mapping):
        return [ConditionError(path, f"expected a mapping, got {type(cond).__name__}")]
    keys = set(cond)
    branch = keys & BRANCH_KEYS
    if branch:
        if len(keys) != 1:
            return [ConditionError(path, f"a branch has exactly one key, got {sorted(keys)}")]
        (key,) = branch
        body = cond[key]
        if key in {"all", "any"}:
            if not isinstance(body, list) or not body:
                return [ConditionError(at(key), "expected a non-empty list of conditions")]
            for i, sub in enumerate(body):
                errors += validate_condition(
                    sub, path=at(key, i), namespaces=ns, definitions=definitions, rule_ids=rule_ids
                )
        elif key == "not":
            errors += validate_condition(
                body, path=at(key), namespaces=ns, definitions=definitions, rule_ids=rule_ids
            )
        else:  # ref
            if not isinstance(body, str) or definitions is None or body not in definitions:
                known = ", ".join(sorted(definitions or {})) or "none"
                errors.append(
                    ConditionError(at(key), f"unknown definition {body!r} (known: {known})")
                )
        return errors
    unknown = keys - LEAF_KEYS
    if unknown:
        return [ConditionError(at(sorted(unknown)[0]), f"unknown key {sorted(unknown)[0]!r}")]
    if "fact" not in cond:
        return [ConditionError(at("fact"), "missing key 'fact'")]
    if "op" not in cond:
        return [ConditionError(at("op"), "missing key 'op'")]
    try:
        ftype = fact_type(str(cond["fact"]), namespaces=ns)
    except ValueError as exc:
        return [ConditionError(at("fact"), str(exc))]
    op = cond["op"]
    if not isinstance(op, str) or op not in OPERATORS:
        return [
            ConditionError(
                at("op"), f"unknown operator {op!r} (known: {', '.join(sorted(OPERATORS))})"
            )
        ]
    value = cond.get("value")
    if op in UNARY_OPS:
        if "value" in cond:
            errors.append(ConditionError(at("value"), f"operator {op!r} takes no value"))
        if op in {"is_true", "is_false"} and ftype != "bool":
            errors.append(
                ConditionError(
                    at("op"), f"{op!r} needs a true/false fact, {cond['fact']} is {ftype}"
                )
            )
        return errors
    if "value" not in cond:
        return [ConditionError(at("value"), f"operator {op!r} needs a value")]
    if op in LIST_OPS:
        if not isinstance(value, list) or not value:
            return [ConditionError(at("value"), f"operator {op!r} needs a non-empty list")]
        if op in {"intersects", "subset_of"} and ftype != "list":
            errors.append(
                ConditionError(at("op"), f"{op!r} needs a list fact, {cond['fact']} is {ftype}")
            )
        values = value
    elif op == "contains":
        if ftype != "list":
            errors.append(
                ConditionError(at("op"), f"'contains' needs a list fact, {cond['fact']} is {ftype}")
            )
        if isinstance(value, (list, dict)):
            errors.append(ConditionError(at("value"), "'contains' needs one value, not a list"))
        values = [value]
    elif op in ORDER_OPS:
        if ftype not in {"number", "date"}:
            errors.append(
                ConditionError(
                    at("op"), f"{op!r} needs a number or date fact, {cond['fact']} is {ftype}"
                )
            )
        if ftype == "number" and _number(value) is None:
            errors.append(ConditionError(at("value"), f"expected a number, got {value!r}"))
        if ftype == "date" and _date(value) is None:
            errors.append(ConditionError(at("value"), f"expected a date YYYY-MM-DD, got {value!r}"))
        return errors
    else:
        if isinstance(value, (list, dict)):
            errors.append(ConditionError(at("value"), f"{op!r} needs one value, not a list"))
        values = [value]
    vocab = FACT_VOCAB.get(str(cond["fact"]))
    if vocab is not None:
        bad = [v for v in values if str(v) not in vocab]
        if bad:
            errors.append(ConditionError(at("value"), f"unknown value(s) {bad} for {cond['fact']}"))
    if str(cond["fact"]) == "result.matched" and rule_ids is not None:
        bad = [v for v in values if not isinstance(v, str) or v not in rule_ids]
        if bad:
            errors.append(ConditionError(at("value"), f"unknown rule id(s) {bad}"))
    return errors


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _fmt(value: Any) -> str:
    if value is None:
        return "not recorded"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "{" + ", ".join(_fmt(v) for v in value) + "}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_fact(name: str, ctx: Context) -> Any:
    """The fact's value, or None when it is not recorded."""
    if name == "on":
        return ctx.on
    ns, _, key = name.partition(".")
    source = {"system": ctx.system, "org": ctx.org, "result": ctx.result}.get(ns)
    if source is None:
        raise ConditionError("fact", f"unknown fact {name!r}")
    return source.get(key)


def _ordered(actual: Any, expected: Any) -> tuple[Any, Any] | None:
    """Bring both sides to comparable types (dates or numbers), or None."""
    if isinstance(actual, (dt.date, str)) or isinstance(expected, (dt.date, str)):
        a, e = (
            _date(actual),
            _date(expected),
        )  # dates may arrive as ISO text after a JSON round trip
        if a is not None and e is not None:
            return a, e
        a, e = _number(actual), _number(expected)
    else:
        a, e = _number(actual), _number(expected)
    if a is None or e is None:
        return None
    return a, e


def _leaf(cond: Mapping[str, Any], ctx: Context) -> tuple[bool, str]:
    name, op = str(cond["fact"]), cond["op"]
    value = cond.get("value")
    actual = read_fact(name, ctx)
    if name == "result.matched":  # show rule ids by their slug: the regime and version are implied
        actual = [str(a).rsplit(".", 1)[-1] for a in actual or []]
        value = (
            [str(v).rsplit(".", 1)[-1] for v in value]
            if isinstance(value, list)
            else str(value).rsplit(".", 1)[-1]
        )
    shown = f"{name} = {_fmt(actual)}"
    if op == "exists":
        return (
            actual is not None,
            f"{name} is recorded" if actual is not None else f"{name} is not recorded",
        )
    if actual is None:
        return False, shown
    if op == "is_true":
        return (actual is True, shown)
    if op == "is_false":
        return (actual is False, shown)
    if op in ORDER_OPS:
        pair = _ordered(actual, value)
        if pair is None:
            return False, f"{shown} (cannot compare with {_fmt(value)})"
        a, e = pair
        met = {"gt": a > e, "gte": a >= e, "lt": a < e, "lte": a <= e}[op]
        symbol = {"gt": (">", "≤"), "gte": ("≥", "<"), "lt": ("<", "≥"), "lte": ("≤", ">")}[op]
        return met, f"{shown} {symbol[0] if met else symbol[1]} {_fmt(value)}"
    if op in {"eq", "ne"}:
        equal = actual == value or _fmt(actual) == _fmt(value)
        met = equal if op == "eq" else not equal
        return met, shown if equal else f"{shown} ≠ {_fmt(value)}"
    as_list = list(actual) if isinstance(actual, (list, tuple, set, frozenset)) else None
    if op in {"in", "not_in"}:
        inside = actual in value or _fmt(actual) in {_fmt(v) for v in value}
        met = inside if op == "in" else not inside
        return met, f"{shown} {'∈' if inside else '∉'} {_fmt(value)}"
    if op == "contains":
        has = as_list is not None and value in as_list
        return has, f"{shown} {'∋' if has else '∌'} {_fmt(value)}"
    if op == "intersects":
        common = [v for v in (as_list or []) if v in value]
        if common:
            return True, f"{shown} ∩ {_fmt(value)} = {_fmt(common)}"
        return False, f"{shown} ∩ {_fmt(value)} = ∅"
    if op == "subset_of":
        outside = [v for v in (as_list or []) if v not in value]
        met = as_list is not None and not outside
        return met, f"{shown} {'⊆' if met else '⊄'} {_fmt(value)}"
    raise ConditionError("op", f"unknown operator {op!r}")


def evaluate_condition(cond: Any, ctx: Context) -> tuple[bool, str]:
    """(met, the human-readable fact that decided it); None means 'no condition', which holds."""
    if cond is None:
        return True, "no condition"
    if "all" in cond:
        texts = []
        for sub in cond["all"]:
            met, text = evaluate_condition(sub, ctx)
            if not met:
                return False, text
            texts.append(text)
        return True, " and ".join(texts)
    if "any" in cond:
        texts = []
        for sub in cond["any"]:
            met, text = evaluate_condition(sub, ctx)
            if met:
                return True, text
            texts.append(text)
        return False, "none of: " + "; ".join(texts)
    if "not" in cond:
        met, text = evaluate_condition(cond["not"], ctx)
        return (not met), text
    if "ref" in cond:
        name = cond["ref"]
        if name not in ctx.definitions:
            raise ConditionError("ref", f"unknown definition {name!r}")
        met, text = evaluate_condition(ctx.definitions[name], ctx)
        return met, f"{name}: {text}"
    return _leaf(cond, ctx)


def deciding_facts(cond: Any, ctx: Context) -> list[tuple[str, Any]]:
    """The recorded facts a met condition rested on, for a plain rationale (no dates, no results).

    `not` branches contribute nothing: the absence of an exclusion is not why a rule fired.
    """
    if cond is None:
        return []
    if "all" in cond:
        out: list[tuple[str, Any]] = []
        for sub in cond["all"]:
            out += deciding_facts(sub, ctx)
        return out
    if "any" in cond:
        for sub in cond["any"]:
            if evaluate_condition(sub, ctx)[0]:
                return deciding_facts(sub, ctx)
        return []
    if "not" in cond:
        return []
    if "ref" in cond:
        return deciding_facts(ctx.definitions[cond["ref"]], ctx)
    name = str(cond["fact"])
    if name == "on" or name.startswith("result."):
        return []
    return [(name, read_fact(name, ctx))]


def read_date(name: str, ctx: Context) -> dt.date | None:
    """A date fact's value (ISO text after a JSON round trip is accepted), or None."""
    return _date(read_fact(name, ctx))


def on_thresholds(cond: Any, definitions: Mapping[str, Any]) -> set[dt.date]:
    """Dates at which a condition on the evaluation date (`on` gte/gt/lt/lte X) can flip."""
    out: set[dt.date] = set()
    if isinstance(cond, Mapping):
        if "ref" in cond and cond["ref"] in definitions:
            return on_thresholds(definitions[cond["ref"]], definitions)
        if cond.get("fact") == "on" and cond.get("op") in ORDER_OPS:
            value = _date(cond.get("value"))
            if value is not None:
                # gte/lt flip on the date itself, gt/lte the day after
                out.add(value if cond["op"] in {"gte", "lt"} else value + dt.timedelta(days=1))
            return out
        for key in ("all", "any"):
            for sub in cond.get(key) or []:
                out |= on_thresholds(sub, definitions)
        if "not" in cond:
            out |= on_thresholds(cond["not"], definitions)
    return out
