"""Cross-item checks of a version: ids, references, conditions, windows."""

from __future__ import annotations

import re
from typing import Any

from regulations.conditions import fact_type, validate_condition
from regulations.schema.base import ID_RE, SLUG
from regulations.schema.models import RegimeVersion

# ---------------------------------------------------------------- cross-item checks


def check_version(v: RegimeVersion) -> list[tuple[str, str]]:
    """Checks a field validator cannot see: id shapes and uniqueness, references, conditions."""
    problems: list[tuple[str, str]] = []
    seen: dict[str, str] = {}

    def check_id(value: str, kind: str, loc: str) -> None:
        m = ID_RE.match(value or "")
        if not m:
            problems.append((loc, f"id {value!r} must look like <regime>.<version>.<kind>.<slug>"))
        elif (m["regime"], m["version"], m["kind"]) != (v.regime, v.version, kind):
            problems.append((loc, f"id {value!r} must start with '{v.regime}.{v.version}.{kind}.'"))
        if value in seen:
            problems.append((loc, f"duplicate id {value!r} (first at {seen[value]})"))
        else:
            seen[value] = loc

    for i, r in enumerate(v.rules):
        check_id(r.id, "rule", f"rules.{i}.id")
    for i, o in enumerate(v.obligations):
        check_id(o.id, "obligation", f"obligations.{i}.id")
    for i, d in enumerate(v.deadlines):
        check_id(d.id, "deadline", f"deadlines.{i}.id")
    for i, t in enumerate(v.templates):
        check_id(t.id, "template", f"templates.{i}.id")
        for j, s in enumerate(t.sections):
            check_id(s.id, "section", f"templates.{i}.sections.{j}.id")
            for k, q in enumerate(s.questions):
                check_id(q.id, "question", f"templates.{i}.sections.{j}.questions.{k}.id")
    for i, c in enumerate(v.vendor_checklist):
        check_id(c.id, "checklist", f"vendor_checklist.{i}.id")

    outcome_codes = [o.code for o in v.outcomes]
    for i, code in enumerate(outcome_codes):
        if code in outcome_codes[:i]:
            problems.append((f"outcomes.{i}.code", f"duplicate outcome {code!r}"))
    for key in ("default_outcome", "not_applicable_outcome"):
        if getattr(v, key) not in outcome_codes:
            problems.append(
                (key, f"unknown outcome {getattr(v, key)!r} (declared: {', '.join(outcome_codes)})")
            )
    role_codes = {r.code for r in v.roles}

    rule_ids = {r.id for r in v.rules}
    base_ns = {"system", "org", "on"}
    after_ns = base_ns | {"result"}

    def cond(c: Any, loc: str, ns: set[str], *, required: bool = False) -> None:
        if c is None:
            if required:
                problems.append((loc, "a condition is required"))
            return
        for err in validate_condition(
            c, path=loc, namespaces=ns, definitions=v.definitions, rule_ids=rule_ids
        ):
            problems.append((err.path, err.message))

    def from_fact(name: str | None, loc: str) -> None:
        if name is None:
            return
        try:
            kind = fact_type(name, namespaces=base_ns)
        except ValueError as exc:
            problems.append((loc, str(exc)))
            return
        if kind != "date":
            problems.append((loc, f"{name} is {kind}; a start date needs a date fact"))

    for name, c in v.definitions.items():
        if not re.fullmatch(SLUG, name):
            problems.append((f"definitions.{name}", "definition names are lower-case slugs"))
        cond(c, f"definitions.{name}", after_ns, required=True)
    problems += [(f"definitions.{n}", msg) for n, msg in _definition_cycles(v.definitions)]

    for i, r in enumerate(v.rules):
        cond(
            r.when,
            f"rules.{i}.when",
            after_ns if r.kind == "classification" else base_ns,
            required=True,
        )
        for j, ov in enumerate(r.applies_from_overrides):
            cond(ov.when, f"rules.{i}.applies_from_overrides.{j}.when", after_ns, required=True)
            from_fact(ov.from_fact, f"rules.{i}.applies_from_overrides.{j}.from_fact")
        if r.kind == "role" and r.role not in role_codes:
            problems.append(
                (
                    f"rules.{i}.role",
                    f"unknown role {r.role!r} (declared: {', '.join(sorted(role_codes))})",
                )
            )
        if r.kind == "classification" and r.outcome not in outcome_codes:
            problems.append(
                (
                    f"rules.{i}.outcome",
                    f"unknown outcome {r.outcome!r} (declared: {', '.join(outcome_codes)})",
                )
            )
    template_ids = {t.id for t in v.templates}
    for i, o in enumerate(v.obligations):
        cond(o.when, f"obligations.{i}.when", after_ns)
        for j, ov in enumerate(o.effective_from_overrides):
            cond(
                ov.when,
                f"obligations.{i}.effective_from_overrides.{j}.when",
                after_ns,
                required=True,
            )
            from_fact(ov.from_fact, f"obligations.{i}.effective_from_overrides.{j}.from_fact")
        for j, who in enumerate(o.who):
            if who != "all" and who not in role_codes:
                problems.append(
                    (
                        f"obligations.{i}.who.{j}",
                        f"unknown role {who!r} (declared: all, {', '.join(sorted(role_codes))})",
                    )
                )
        if o.assessment_template and o.assessment_template not in template_ids:
            problems.append(
                (
                    f"obligations.{i}.assessment_template",
                    f"unknown template {o.assessment_template!r}",
                )
            )
    obligation_ids = {o.id for o in v.obligations}
    for i, d in enumerate(v.deadlines):
        cond(d.applies_when, f"deadlines.{i}.applies_when", after_ns)
        for j, oid in enumerate(d.obligations):
            if oid not in obligation_ids:
                problems.append((f"deadlines.{i}.obligations.{j}", f"unknown obligation {oid!r}"))
    for i, c in enumerate(v.vendor_checklist):
        cond(c.applies_when, f"vendor_checklist.{i}.applies_when", after_ns)

    if v.status == "superseded" and not v.superseded_by:
        problems.append(
            ("superseded_by", "a superseded version names the version that supersedes it")
        )
    if (
        v.effective_to
        and v.effective_to < v.effective_from
        and v.status not in {"repealed", "never_enacted"}
    ):
        problems.append(
            (
                "effective_to",
                "is before effective_from; only a repealed or never-enacted version may have an empty window (never in force)",
            )
        )
    if v.level == "us_state":
        for key in ("litigation_status", "preemption_notes"):
            if not getattr(v, key):
                problems.append((key, "a state regime must say this (use 'none known' if so)"))
    return problems


def _definition_cycles(definitions: dict[str, Any]) -> list[tuple[str, str]]:
    def refs(c: Any) -> set[str]:
        if isinstance(c, dict):
            out = {c["ref"]} if isinstance(c.get("ref"), str) else set()
            for sub in c.values():
                out |= refs(sub)
            return out
        if isinstance(c, list):
            return set().union(*(refs(s) for s in c)) if c else set()
        return set()

    graph = {name: refs(c) & set(definitions) for name, c in definitions.items()}
    problems = []
    for start in graph:
        stack, seen = list(graph[start]), set()
        while stack:
            node = stack.pop()
            if node == start:
                problems.append((start, "refers to itself through 'ref' (cycle)"))
                break
            if node not in seen:
                seen.add(node)
                stack.extend(graph.get(node, ()))
    return problems
