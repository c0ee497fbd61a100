"""Pydantic models for regime content files, so authors get errors naming the file and key path."""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from regulations.conditions import validate_condition

Confidence = Literal["H", "M", "L"]
SLUG = r"[a-z0-9][a-z0-9_-]*"
REGIME_RE = re.compile(r"^[a-z][a-z0-9-]{1,7}$")
VERSION_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ID_KINDS = ("rule", "obligation", "deadline", "template", "section", "question", "checklist")
ID_RE = re.compile(
    rf"^(?P<regime>[a-z][a-z0-9-]*)\.(?P<version>[a-z0-9][a-z0-9-]*)\.(?P<kind>[a-z]+)\.(?P<slug>{SLUG})$"
)
URL_RE = r"^https?://\S+$"

# Keys a template question may prefill from: AISystem.facts() keys and AISystem field names.
PREFILL_KEYS = {
    "name", "description", "team", "owner", "vendor", "models_used", "model_type", "lifecycle",
    "sanction_status", "origin", "provenance", "roles", "jurisdictions", "domains",
    "decision_role", "human_review", "capabilities", "consumer_facing", "interacts_with_persons",
    "data_categories", "profiling", "basic_software", "art6_3_claim", "training_flops",
    "first_seen", "last_seen", "tags", "subjects_in", "personal_data", "sensitive_data",
    "training_ops",
}  # fmt: skip


class ContentError(Exception):
    """A content file is invalid; the message names the file and the dotted path of each bad key."""

    def __init__(self, path: Path | str, problems: list[tuple[str, str]]):
        self.path = str(path)
        self.problems = problems
        super().__init__(
            "\n".join(
                f"{self.path}: {loc}: {msg}" if loc else f"{self.path}: {msg}"
                for loc, msg in problems
            )
        )


# ---------------------------------------------------------------- due grammar (reference "How to model this" 4)

PERIOD_RE = r"P(?=\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?"
DUE_PATTERNS = {
    "date": re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})$"),
    "before": re.compile(r"^before:(?P<anchor>\S.*)$"),
    "within": re.compile(r"^within:(?P<n>\d+)(?P<unit>d|bd|h) of (?P<anchor>\S.*)$"),
    "every": re.compile(rf"^every:(?P<period>{PERIOD_RE})(?: from (?P<anchor>\S.*))?$"),
    "retain": re.compile(rf"^retain:(?P<period>{PERIOD_RE}) after (?P<anchor>\S.*)$"),
}


@dataclass(frozen=True)
class Due:
    """A parsed due expression: kind is date/before/within/every/retain."""

    kind: str
    date: dt.date | None = None
    n: int | None = None
    unit: str | None = None  # d, bd (business days), h
    period: str | None = None  # ISO 8601 duration, e.g. P1Y
    anchor: str | None = None


def parse_period(text: str) -> relativedelta:
    """ISO 8601 duration (years, months, weeks, days) as a relativedelta."""
    m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?", text)
    if not m or text == "P":
        raise ValueError(f"not an ISO 8601 period: {text!r}")
    y, mo, w, d = (int(g or 0) for g in m.groups())
    return relativedelta(years=y, months=mo, weeks=w, days=d)


def parse_due(text: str) -> Due:
    """Parse `YYYY-MM-DD`, `before:X`, `within:N(d|bd|h) of X`, `every:P[ from X]`, `retain:P after X`."""
    for kind, pattern in DUE_PATTERNS.items():
        m = pattern.match(str(text))
        if not m:
            continue
        g = m.groupdict()
        if kind == "date":
            return Due(kind, date=dt.date.fromisoformat(g["date"]))
        if kind == "within":
            return Due(kind, n=int(g["n"]), unit=g["unit"], anchor=g["anchor"])
        if kind in {"every", "retain"}:
            parse_period(g["period"])
            return Due(kind, period=g["period"], anchor=g.get("anchor"))
        return Due(kind, anchor=g["anchor"])
    raise ValueError(
        f"bad due expression {text!r}: use YYYY-MM-DD, before:X, within:N(d|bd|h) of X, "
        "every:P1Y[ from X] or retain:P3Y after X"
    )


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


class RoleDef(Strict):
    code: str = Field(pattern=rf"^{SLUG}$")
    label: str = Field(min_length=1)


class Rule(Cited):
    id: str
    kind: Literal["applicability", "role", "classification"]
    title: str = Field(min_length=1)
    explanation: str = Field(min_length=1)
    when: Any
    role: str | None = None
    outcome: str | None = None
    outcome_label: str | None = None

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
        return self


CadenceKind = Literal[
    "one_off", "before_deployment", "annual", "periodic", "within_days_of_substantial_modification",
    "on_request", "ongoing", "event",
]  # fmt: skip


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


class EffectiveOverride(Strict):
    when: Any
    effective_from: dt.date
    note: str = ""


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

        for key, kind in (("rules", "rule"), ("obligations", "obligation"), ("deadlines", "deadline"),
                          ("templates", "template"), ("vendor_checklist", "checklist")):  # fmt: skip
            for item in data.get(key) or []:
                if not isinstance(item, dict):
                    continue
                item["id"] = full(item.get("id"), kind)
                if kind == "template":
                    for section in item.get("sections") or []:
                        if isinstance(section, dict):
                            section["id"] = full(section.get("id"), "section")
                            for q in section.get("questions") or []:
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


# ---------------------------------------------------------------- loading


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 10x faster


class _ContentLoader(_Base):
    """Safe YAML where only true/false are booleans, so `fact: on` and `choices: [yes, no]` stay text."""


_ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_ContentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def yaml_load(text: str) -> Any:
    """Parse content YAML (safe loader; YAML 1.2 booleans)."""
    return yaml.load(text, Loader=_ContentLoader)  # noqa: S506 - a SafeLoader subclass


def _display(path: Path) -> str:
    parts = path.parts
    for i in range(len(parts) - 1):
        if parts[i] == "regulations" and parts[i + 1] == "content":
            return "/".join(parts[i:])
    return str(path)


def _pydantic_problems(exc: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown key {err['loc'][-1]!r}"
            loc = ".".join(str(p) for p in err["loc"])
        elif err["type"] == "missing":
            msg = f"missing key {err['loc'][-1]!r}"
        problems.append((loc, msg))
    return problems


def parse_version(
    data: Any, *, source: Path | str = "<data>", stem: str | None = None
) -> RegimeVersion:
    """Validate already-parsed content (a dict) fully; raise ContentError naming `source`."""
    if not isinstance(data, dict):
        raise ContentError(source, [("", "the file must be a mapping at the top level")])
    try:
        version = RegimeVersion.model_validate(data)
    except ValidationError as exc:
        raise ContentError(source, _pydantic_problems(exc)) from None
    problems = check_version(version)
    if stem is not None and version.version != stem:
        problems.insert(
            0, ("version", f"{version.version!r} must equal the file name stem {stem!r}")
        )
    if problems:
        raise ContentError(source, problems)
    return version


def load_version_file(path: Path | str) -> RegimeVersion:
    """Read and validate one `regulations/content/<regime>/<version>.yaml`."""
    path = Path(path)
    shown = _display(path)
    try:
        data = yaml_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContentError(shown, [("", f"cannot read: {exc}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ContentError(
            shown, [("", f"{where}invalid YAML: {getattr(exc, 'problem', exc)}")]
        ) from None
    return parse_version(data, source=shown, stem=path.stem)
