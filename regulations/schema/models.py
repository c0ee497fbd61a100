"""Pydantic models of a regime version file (strict: unknown keys are errors)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, Literal

from dateutil.rrule import rrulestr
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from regulations.schema.base import PREFILL_KEYS, REGIME_RE, SLUG, URL_RE, VERSION_RE, Confidence
from regulations.schema.due import parse_due

# ---------------------------------------------------------------- models


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(Strict):
    title: str = Field(min_length=1)
    url: str = Field(pattern=URL_RE)
    confidence: Confidence | None = None
    note: str = ""


class Cited(Strict):
    """Every rule, obligation, deadline, template and checklist item says where it comes from."""

    citation: str = Field(min_length=1)
    url: str = Field(pattern=URL_RE)
    confidence: Confidence
    unresolved: bool = False
    note: str = ""


class Outcome(Strict):
    code: str = Field(pattern=rf"^{SLUG}$")
    label: str = Field(min_length=1)
    risk_tier: Literal["prohibited", "high", "limited", "minimal", "not_applicable"]
    high_risk: bool = False
    precedence: int = Field(ge=0, description="Lower wins when several classification rules match.")
    applies_from: dt.date | None = Field(
        default=None,
        description="The legal start date of this outcome's duties (default: the version's).",
    )
    plain: str = Field(default="", description="Headline words, e.g. 'High-risk'.")


class RoleDef(Strict):
    code: str = Field(pattern=rf"^{SLUG}$")
    label: str = Field(min_length=1)


class EffectiveOverride(Strict):
    """A start date that depends on facts: a fixed date, or the value of a date fact."""

    when: Any
    effective_from: dt.date | None = None
    from_fact: str | None = Field(
        default=None, description="A date fact, e.g. system.use_started_on."
    )
    note: str = ""

    @model_validator(mode="after")
    def _one(self) -> EffectiveOverride:
        if (self.effective_from is None) == (self.from_fact is None):
            raise ValueError("give exactly one of 'effective_from' or 'from_fact'")
        return self


class Rule(Cited):
    id: str
    kind: Literal["applicability", "role", "classification"]
    title: str = Field(min_length=1)
    explanation: str = Field(min_length=1)
    when: Any
    role: str | None = None
    outcome: str | None = None
    outcome_label: str | None = None
    plain: str = Field(default="", description="Why, in plain words: 'it ranks job applicants'.")
    precedence: int | None = Field(
        default=None, ge=0, description="Overrides the outcome's precedence (order of specificity)."
    )
    applies_from: dt.date | None = None
    applies_from_overrides: list[EffectiveOverride] = []

    @model_validator(mode="after")
    def _kind_fields(self) -> Rule:
        if self.kind == "role" and not self.role:
            raise ValueError("a role rule needs 'role'")
        if self.kind != "role" and self.role:
            raise ValueError("only role rules take 'role'")
        if self.kind == "classification" and not self.outcome:
            raise ValueError("a classification rule needs 'outcome'")
        if self.kind != "classification" and (self.outcome or self.outcome_label):
            raise ValueError("only classification rules take 'outcome'/'outcome_label'")
        dated = self.applies_from or self.applies_from_overrides or self.precedence is not None
        if self.kind != "classification" and (dated or self.plain):
            raise ValueError(
                "only classification rules take 'applies_from', 'precedence' or 'plain'"
            )
        return self


CadenceKind = Literal[
    "one_off",
    "before_deployment",
    "annual",
    "periodic",
    "within_days_of_substantial_modification",
    "on_request",
    "ongoing",
    "event",
]


class Cadence(Strict):
    kind: CadenceKind
    days: int | None = Field(default=None, gt=0)
    due: str | None = None
    note: str = ""

    @field_validator("due")
    @classmethod
    def _due(cls, value: str | None) -> str | None:
        if value is not None:
            parse_due(value)
        return value

    @model_validator(mode="after")
    def _needs(self) -> Cadence:
        if self.kind == "within_days_of_substantial_modification" and not self.days:
            raise ValueError("cadence 'within_days_of_substantial_modification' needs 'days'")
        if self.kind in {"event", "periodic"} and not self.due:
            raise ValueError(f"cadence {self.kind!r} needs 'due'")
        if self.kind == "periodic" and parse_due(self.due).kind != "every":
            raise ValueError("a periodic cadence needs due 'every:P…'")
        return self


class Obligation(Cited):
    id: str
    ref: str = ""
    title: str = Field(min_length=1)
    who: list[str] = Field(min_length=1)
    what: str = Field(min_length=1)
    cadence: list[Cadence] = Field(min_length=1)
    retention: str | None = None
    when: Any = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    effective_from_overrides: list[EffectiveOverride] = []
    assessment_template: str | None = None
    # "organisation": owed once by the organisation (AI literacy, a framework, a yearly filing),
    # tracked as one organisation-wide deadline, never one copy per system.
    scope: Literal["system", "organisation"] = "system"

    @field_validator("retention")
    @classmethod
    def _retention(cls, value: str | None) -> str | None:
        if value is not None and parse_due(value).kind != "retain":
            raise ValueError("retention must be 'retain:P… after X'")
        return value

    @model_validator(mode="after")
    def _window(self) -> Obligation:
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self


class DeadlineSpec(Cited):
    id: str
    title: str = Field(min_length=1)
    kind: Literal["statutory", "recurring"]
    date: dt.date | None = None
    rrule: str | None = None
    who: list[str] = []
    obligations: list[str] = []
    applies_when: Any = None
    # "organisation": a date the organisation owes once (a law starts to apply, a yearly filing),
    # one deadline for the organisation; "system": each system that triggers it gets its own.
    scope: Literal["system", "organisation"] = "system"

    @model_validator(mode="after")
    def _when(self) -> DeadlineSpec:
        if (self.date is None) == (self.rrule is None):
            raise ValueError("give exactly one of 'date' or 'rrule'")
        if self.rrule is not None:
            if "DTSTART" not in self.rrule.upper():
                raise ValueError("an rrule deadline needs a DTSTART line")
            try:
                rrulestr(self.rrule)
            except (ValueError, TypeError) as exc:
                raise ValueError(f"rrule does not parse: {exc}") from exc
        if (self.kind == "recurring") != (self.rrule is not None):
            raise ValueError("kind 'recurring' goes with 'rrule', 'statutory' with 'date'")
        return self


class Question(Strict):
    id: str
    text: str = Field(min_length=1)
    type: Literal["text", "richtext", "choice", "multichoice", "date", "yesno", "file"]
    required: bool = False
    # Answerable only once the assessment is approved (e.g. the date the authority was notified
    # of it): not required to submit; the form says when it is due.
    after_approval: bool = False
    help: str = ""
    citation: str = Field(min_length=1)
    url: str | None = Field(default=None, pattern=URL_RE)
    confidence: Confidence
    unresolved: bool = False
    choices: list[str] = []
    prefill: str | None = None

    @model_validator(mode="after")
    def _choices(self) -> Question:
        if self.type in {"choice", "multichoice"} and not self.choices:
            raise ValueError(f"a {self.type} question needs 'choices'")
        if self.type not in {"choice", "multichoice"} and self.choices:
            raise ValueError(f"a {self.type} question takes no 'choices'")
        if self.prefill is not None and self.prefill not in PREFILL_KEYS:
            raise ValueError(
                f"unknown prefill key {self.prefill!r} (known: {', '.join(sorted(PREFILL_KEYS))})"
            )
        return self


class Section(Strict):
    id: str
    title: str = Field(min_length=1)
    help: str = ""
    questions: list[Question] = Field(min_length=1)


class Template(Cited):
    id: str
    title: str = Field(min_length=1)
    kind: Literal["assessment", "notice", "checklist"]
    status: Literal["current", "superseded", "voluntary"]
    description: str = ""
    sections: list[Section] = Field(min_length=1)


class ChecklistItem(Cited):
    id: str
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    applies_when: Any = None


class RegimeVersion(Strict):
    regime: str = Field(pattern=REGIME_RE.pattern)
    regime_name: str = Field(min_length=1)
    version: str = Field(pattern=VERSION_RE.pattern)
    status: Literal["pending", "in_force", "repealed", "never_enacted", "superseded"]
    level: Literal["us_state", "eu", "none"]
    effective_from: dt.date
    effective_to: dt.date | None = None
    superseded_by: str | None = None
    supersedes: str | None = None
    sources: list[Source] = Field(min_length=1)
    litigation_status: str | None = None
    preemption_notes: str | None = None
    notes: str = ""
    applies_to_systems: bool = True
    roles: list[RoleDef] = []
    outcomes: list[Outcome] = Field(min_length=1)
    default_outcome: str
    not_applicable_outcome: str
    definitions: dict[str, Any] = {}
    rules: list[Rule] = []
    obligations: list[Obligation] = []
    deadlines: list[DeadlineSpec] = []
    templates: list[Template] = []
    vendor_checklist: list[ChecklistItem] = []

    @model_validator(mode="before")
    @classmethod
    def _expand_ids(cls, data: Any) -> Any:
        """Authors may write bare slugs; they become `<regime>.<version>.<kind>.<slug>`."""
        if not isinstance(data, dict):
            return data
        regime, version = data.get("regime"), data.get("version")
        if not isinstance(regime, str) or not isinstance(version, str):
            return data
        data = copy.deepcopy(data)

        def full(value: Any, kind: str) -> Any:
            if isinstance(value, str) and value and "." not in value:
                return f"{regime}.{version}.{kind}.{value}"
            return value

        def walk(cond: Any) -> None:
            if isinstance(cond, dict):
                if isinstance(
                    cond.get("value"), dt.date
                ):  # dates are ISO text, as after a JSON round trip
                    cond["value"] = cond["value"].isoformat()
                if cond.get("fact") == "result.matched":
                    if isinstance(cond.get("value"), list):
                        cond["value"] = [full(v, "rule") for v in cond["value"]]
                    elif "value" in cond:
                        cond["value"] = full(cond["value"], "rule")
                for sub in cond.values():
                    walk(sub)
            elif isinstance(cond, list):
                for sub in cond:
                    walk(sub)

        for key, kind in (
            ("rules", "rule"),
            ("obligations", "obligation"),
            ("deadlines", "deadline"),
            ("templates", "template"),
            ("vendor_checklist", "checklist"),
        ):
            for item in _as_list(data.get(key)):
                if not isinstance(item, dict):
                    continue
                item["id"] = full(item.get("id"), kind)
                if kind == "template":
                    for section in _as_list(item.get("sections")):
                        if isinstance(section, dict):
                            section["id"] = full(section.get("id"), "section")
                            for q in _as_list(section.get("questions")):
                                if isinstance(q, dict):
                                    q["id"] = full(q.get("id"), "question")
                if kind == "obligation" and item.get("assessment_template"):
                    item["assessment_template"] = full(item["assessment_template"], "template")
                if kind == "deadline" and isinstance(item.get("obligations"), list):
                    item["obligations"] = [full(o, "obligation") for o in item["obligations"]]
        walk(data.get("definitions"))
        for key in ("rules", "obligations", "deadlines", "vendor_checklist"):
            walk(data.get(key))
        return data

    # Convenience lookups for the engine and the Django side.
    def outcome(self, code: str) -> Outcome:
        return next(o for o in self.outcomes if o.code == code)

    def template(self, template_id: str) -> Template | None:
        return next((t for t in self.templates if t.id == template_id), None)

    def obligation(self, obligation_id: str) -> Obligation | None:
        return next((o for o in self.obligations if o.id == obligation_id), None)


def _as_list(value) -> list:
    """A list from the YAML, or nothing: a wrong type is left for the schema to report by path."""
    return value if isinstance(value, list) else []
