"""The generic classification engine: every outcome, threshold and date comes from the content version."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from regulations.conditions import (
    Context,
    deciding_facts,
    evaluate_condition,
    on_thresholds,
    read_date,
)
from regulations.schema import EffectiveOverride, Obligation, RegimeVersion, Rule

NEVER_OPERATIVE = {"repealed", "never_enacted"}


@dataclass
class RationaleRow:
    rule_id: str
    met: bool
    deciding_fact: str
    citation: str
    url: str
    confidence: str
    explanation: str
    kind: str = "rule"  # window / applicability / role / classification / obligation
    title: str = ""
    unresolved: bool = False


@dataclass
class TriggeredObligation:
    id: str
    ref: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
    in_force: bool  # False: triggered, but its duty starts on effective_from (a future date)
    assessment_template: str | None


@dataclass
class Evaluation:
    regime: str
    version: str
    on: dt.date
    applies: bool
    roles: list[str]
    outcome: str
    outcome_label: str
    risk_tier: str
    high_risk: bool
    deciding_rule: str | None
    triggered_obligations: list[str]
    obligations: list[TriggeredObligation]
    templates: list[str]  # assessment templates the triggered obligations call for
    checklist_items: list[str]  # vendor checklist items that apply
    deadlines: list[str]  # deadline specs that apply (linked to triggered obligations, or unlinked)
    rationale: list[RationaleRow] = field(default_factory=list)
    # The outcome's legal start date; pending while it is after `on` (shown "… from <date>").
    in_force_from: dt.date | None = None
    pending: bool = False
    headline: str = ""  # one plain sentence: outcome, start date if pending, why, the law cited
    deciding_facts: list[dict[str, Any]] = field(default_factory=list)
    also: list[dict[str, Any]] = field(default_factory=list)  # other met classification rules
    # The first later date at which this evaluation can change by the passing of time alone: the
    # pending start, a triggered duty's start or end, or a rule's condition on the date.
    next_change_on: dt.date | None = None

    @property
    def pending_from(self) -> dt.date | None:
        return self.in_force_from if self.pending else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings) for storing a result."""
        data = asdict(self)
        data["on"] = self.on.isoformat()
        data["in_force_from"] = self.in_force_from.isoformat() if self.in_force_from else None
        data["next_change_on"] = self.next_change_on.isoformat() if self.next_change_on else None
        for row in data["also"]:
            row["in_force_from"] = (
                row["in_force_from"].isoformat() if row["in_force_from"] else None
            )
        for ob in data["obligations"]:
            ob["effective_from"] = ob["effective_from"].isoformat()
            ob["effective_to"] = ob["effective_to"].isoformat() if ob["effective_to"] else None
        return data


def _row(item: Any, *, met: bool, text: str, kind: str) -> RationaleRow:
    return RationaleRow(
        rule_id=item.id,
        met=met,
        deciding_fact=text,
        citation=item.citation,
        url=item.url,
        confidence=item.confidence,
        explanation=getattr(item, "explanation", "") or getattr(item, "what", ""),
        kind=kind,
        title=item.title,
        unresolved=item.unresolved,
    )


def _window_row(version: RegimeVersion, on: dt.date) -> RationaleRow:
    """Is this version operative on `on`? Pending versions are evaluated prospectively."""
    src = version.sources[0]
    start, end = version.effective_from, version.effective_to
    if end is not None and end < start:
        met, text = (
            False,
            f"never in force (status {version.status}; effective {start} was never reached)",
        )
    elif end is not None and on > end:
        tail = f"; superseded by {version.superseded_by}" if version.superseded_by else ""
        met, text = False, f"on = {on} > effective_to {end}{tail}"
    elif version.status in NEVER_OPERATIVE:
        met, text = False, f"status {version.status}"
    elif on < start:
        met, text = (
            True,
            f"on = {on} < effective_from {start}: not yet in force, evaluated prospectively",
        )
    else:
        met, text = (
            True,
            f"effective_from {start} ≤ on = {on}" + (f" ≤ effective_to {end}" if end else ""),
        )
    return RationaleRow(
        rule_id=f"{version.regime}.{version.version}.window",
        met=met,
        deciding_fact=text,
        citation=src.title,
        url=src.url,
        confidence=src.confidence or "M",
        explanation="The version's effective window (status, effective_from, effective_to).",
        kind="window",
        title=f"{version.regime_name}: version {version.version} in effect",
    )


def start_date(
    overrides: list[EffectiveOverride], default: dt.date | None, ctx: Context
) -> dt.date | None:
    """The first override whose condition holds (a fixed date, or a recorded date fact), else default.

    An override that reads a date fact which is not recorded is skipped.
    """
    for override in overrides:
        if not evaluate_condition(override.when, ctx)[0]:
            continue
        if override.from_fact:
            value = read_date(override.from_fact, ctx)
            if value is None:
                continue
            return value
        return override.effective_from
    return default


def obligation_effective_from(ob: Obligation, version: RegimeVersion, ctx: Context) -> dt.date:
    """The first override whose condition holds, else the obligation's date, else the version's."""
    return (
        start_date(ob.effective_from_overrides, ob.effective_from or version.effective_from, ctx)
        or version.effective_from
    )


def rule_in_force_from(rule: Rule, version: RegimeVersion, ctx: Context) -> dt.date:
    """When a classification rule's outcome starts to bind: never before the version itself."""
    outcome = version.outcome(rule.outcome)
    start = start_date(rule.applies_from_overrides, rule.applies_from or outcome.applies_from, ctx)
    return max(version.effective_from, start) if start else version.effective_from


def _shown(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def headline_text(*, words: str, pending: bool, start: dt.date | None, rule: Rule | None) -> str:
    """One plain sentence: no rule ids, no set notation; the law cited last."""
    text = words
    if pending and start is not None:
        text += f" from {start.isoformat()}"
    if rule is not None and rule.plain:
        text += f" because {rule.plain}"
    if rule is not None and rule.citation:
        text += f" ({rule.citation})"
    return text


def evaluate(*, facts: dict, org: dict, version: RegimeVersion, on: dt.date) -> Evaluation:
    """Applicability, roles, classification by outcome precedence, obligations, full rationale."""
    ctx = Context(system=facts, org=org, on=on, definitions=version.definitions)
    rationale: list[RationaleRow] = []

    if not version.applies_to_systems:
        src = version.sources[0]
        rationale.append(
            RationaleRow(
                rule_id=f"{version.regime}.{version.version}.scope",
                met=False,
                deciding_fact="regime-neutral content: offers templates only, never applies to a system",
                citation=src.title,
                url=src.url,
                confidence=src.confidence or "M",
                explanation=version.notes,
                kind="window",
                title=version.regime_name,
            )
        )
        applies = False
    else:
        window = _window_row(version, on)
        rationale.append(window)
        applies = window.met

    for rule in version.rules:
        if rule.kind != "applicability":
            continue
        met, text = evaluate_condition(rule.when, ctx)
        rationale.append(_row(rule, met=met, text=text, kind="applicability"))
        applies = applies and met

    roles: list[str] = []
    for rule in version.rules:
        if rule.kind != "role":
            continue
        met, text = evaluate_condition(rule.when, ctx)
        rationale.append(_row(rule, met=met, text=text, kind="role"))
        if met and rule.role not in roles:
            roles.append(rule.role)
    ctx.result["roles"] = roles if applies else []

    precedence = {o.code: o.precedence for o in version.outcomes}
    met_rules: list[tuple[tuple[int, int], Rule]] = []
    matched: list[str] = [r.rule_id for r in rationale if r.met and r.kind != "window"]
    for position, rule in enumerate(version.rules):
        if rule.kind != "classification":
            continue
        met, text = evaluate_condition(rule.when, ctx)
        rationale.append(_row(rule, met=met, text=text, kind="classification"))
        if met:
            matched.append(rule.id)
            rank = rule.precedence if rule.precedence is not None else precedence[rule.outcome]
            met_rules.append(((rank, position), rule))
    met_rules.sort(key=lambda pair: pair[0])
    best = met_rules[0] if met_rules else None

    rule_used: Rule | None = None
    if not applies:
        code, label, deciding = version.not_applicable_outcome, None, None
    elif best is not None:
        rule_used = best[1]
        code, label, deciding = rule_used.outcome, rule_used.outcome_label, rule_used.id
    else:
        code, label, deciding = version.default_outcome, None, None
    outcome = version.outcome(code)
    in_force_from: dt.date | None = None
    if applies:
        in_force_from = (
            rule_in_force_from(rule_used, version, ctx)
            if rule_used is not None
            else max(version.effective_from, outcome.applies_from or version.effective_from)
        )
    pending = bool(applies and in_force_from and in_force_from > on)
    also: list[dict[str, Any]] = []
    if applies:
        for _key, rule in met_rules[1:]:
            start = rule_in_force_from(rule, version, ctx)
            also.append(
                {
                    "rule_id": rule.id,
                    "outcome": rule.outcome,
                    "label": rule.outcome_label or version.outcome(rule.outcome).label,
                    "citation": rule.citation,
                    "url": rule.url,
                    "in_force_from": start,
                    "pending": start > on,
                }
            )
    facts_used: list[dict[str, Any]] = []
    if rule_used is not None:
        seen: set[str] = set()
        for name, value in deciding_facts(rule_used.when, ctx):
            if name not in seen:
                seen.add(name)
                facts_used.append({"fact": name, "value": _shown(value)})
    headline = headline_text(
        words=(outcome.plain or label or outcome.label) if applies else (label or outcome.label),
        pending=pending,
        start=in_force_from,
        rule=rule_used,
    )
    ctx.result.update(
        outcome=code, risk_tier=outcome.risk_tier, high_risk=outcome.high_risk, matched=matched
    )

    triggered: list[TriggeredObligation] = []
    for ob in version.obligations:
        who_ok = "all" in ob.who or bool(set(ob.who) & set(ctx.result["roles"]))
        met, text = evaluate_condition(ob.when, ctx)
        start = obligation_effective_from(ob, version, ctx)
        expired = ob.effective_to is not None and on > ob.effective_to
        fires = applies and who_ok and met and not expired
        if not applies:
            text = "the regime does not apply"
        elif not who_ok:
            text = f"owed by {', '.join(ob.who)}; our roles: {', '.join(ctx.result['roles']) or 'none'}"
        elif expired:
            text = f"on = {on} > effective_to {ob.effective_to}"
        elif fires and start > on:
            text = f"{text}; in force from {start}"
        rationale.append(_row(ob, met=fires, text=text, kind="obligation"))
        if fires:
            triggered.append(
                TriggeredObligation(
                    id=ob.id,
                    ref=ob.ref,
                    title=ob.title,
                    effective_from=start,
                    effective_to=ob.effective_to,
                    in_force=start <= on,
                    assessment_template=ob.assessment_template,
                )
            )

    triggered_ids = {t.id for t in triggered}
    templates = list(
        dict.fromkeys(t.assessment_template for t in triggered if t.assessment_template)
    )
    checklist = [
        c.id
        for c in version.vendor_checklist
        if applies and evaluate_condition(c.applies_when, ctx)[0]
    ]
    deadlines = [
        d.id
        for d in version.deadlines
        if applies
        and (set(d.obligations) & triggered_ids if d.obligations else True)
        and evaluate_condition(d.applies_when, ctx)[0]
    ]

    later: set[dt.date] = set()
    if applies:
        if pending and in_force_from:
            later.add(in_force_from)
        later |= {t.effective_from for t in triggered if not t.in_force}
        later |= {t.effective_to + dt.timedelta(days=1) for t in triggered if t.effective_to}
        later |= {a["in_force_from"] for a in also if a["pending"]}
        for rule in version.rules:
            later |= on_thresholds(rule.when, version.definitions)
        for ob in version.obligations:
            later |= on_thresholds(ob.when, version.definitions)
    if version.effective_to is not None:
        later.add(version.effective_to + dt.timedelta(days=1))
    future = sorted(d for d in later if d > on)

    return Evaluation(
        regime=version.regime,
        version=version.version,
        on=on,
        applies=applies,
        roles=list(ctx.result["roles"]),
        outcome=code,
        outcome_label=label or outcome.label,
        risk_tier=outcome.risk_tier,
        high_risk=outcome.high_risk,
        deciding_rule=deciding,
        triggered_obligations=[t.id for t in triggered],
        obligations=triggered,
        templates=templates,
        checklist_items=checklist,
        deadlines=deadlines,
        rationale=rationale,
        in_force_from=in_force_from,
        pending=pending,
        headline=headline,
        deciding_facts=facts_used,
        also=also,
        next_change_on=future[0] if future else None,
    )


def version_for_date(versions: list[RegimeVersion], on: dt.date) -> RegimeVersion | None:
    """The version of one regime that governs `on`: the one in effect, else the next pending one.

    Versions that never took effect (empty window, or never enacted) are skipped; a superseded
    version still governs dates inside its window, so old decisions are judged by old law.
    """
    live = [
        v
        for v in versions
        if v.status != "never_enacted"
        and not (v.effective_to and v.effective_to < v.effective_from)
    ]
    current = [
        v
        for v in live
        if v.effective_from <= on and (v.effective_to is None or on <= v.effective_to)
    ]
    if current:
        latest = max(v.effective_from for v in current)
        return _newest_revision([v for v in current if v.effective_from == latest])
    upcoming = [v for v in live if v.effective_from > on]
    if upcoming:
        soonest = min(v.effective_from for v in upcoming)
        return _newest_revision([v for v in upcoming if v.effective_from == soonest])
    return None


def _newest_revision(candidates: list[RegimeVersion]) -> RegimeVersion:
    """Among versions starting the same day, a revision (its `supersedes` names another) wins.

    A loaded version never changes, so a corrected reading of the same law is a new file that
    supersedes the old one from the same date.
    """
    replaced = {v.supersedes for v in candidates if v.supersedes}
    remaining = [v for v in candidates if v.version not in replaced]
    return (remaining or candidates)[0]
