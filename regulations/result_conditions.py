"""Evaluating content conditions (applies_when, effective-date overrides) against a stored result."""

from __future__ import annotations

import datetime as dt
from typing import Any

from regulations.conditions import Context, evaluate_condition
from regulations.models import ClassificationResult


def result_facts(result: ClassificationResult) -> dict[str, Any]:
    """The `result.*` namespace of the condition language, rebuilt from the stored row."""
    return {
        "roles": list(result.roles),
        "outcome": result.outcome,
        "risk_tier": result.risk_tier,
        "high_risk": result.high_risk,
        "matched": [row.get("rule_id") for row in result.rationale if row.get("met")],
    }


def condition_holds(
    condition: Any, *, result: ClassificationResult, on: dt.date | None = None
) -> bool:
    """None holds; a malformed condition holds too (never hide a duty because content is odd)."""
    if condition is None:
        return True
    ctx = Context(
        system=result.inputs.get("facts", {}),
        org=result.inputs.get("org", {}),
        on=on or result.evaluated_on,
        result=result_facts(result),
        definitions=result.content_version.data.get("definitions") or {},
    )
    try:
        met, _text = evaluate_condition(condition, ctx)
    except (LookupError, TypeError, ValueError):  # ConditionError, or a shape the loader let by
        return True
    return bool(met)
