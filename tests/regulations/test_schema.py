"""Content schema: the real files load; each kind of mistake names the file and the dotted key path."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
import yaml

from regulations.schema import (
    ContentError,
    RegimeVersion,
    load_version_file,
    parse_due,
    parse_period,
    yaml_load,
)

CONTENT = Path(__file__).resolve().parents[2] / "regulations" / "content"
FILES = sorted(CONTENT.glob("*/*.yaml"))


def test_every_regime_has_content():
    regimes = {load_version_file(p).regime for p in FILES}
    assert {"co", "ct", "md", "ca", "ca-sb53", "eu", "general"} <= regimes


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_real_file_loads_and_round_trips(path: Path):
    version = load_version_file(path)
    assert version.version == path.stem
    # The Django side stores model_dump(mode="json") and rebuilds from it: that must give the same model.
    again = RegimeVersion.model_validate(version.model_dump(mode="json"))
    assert again == version
    for item in [
        *version.rules,
        *version.obligations,
        *version.templates,
        *version.vendor_checklist,
    ]:
        assert item.citation and item.url.startswith("http") and item.confidence in {"H", "M", "L"}


def _md() -> dict:
    return yaml_load((CONTENT / "md" / "sb818.yaml").read_text())


def _write(tmp_path: Path, data: dict, *, regime_dir: str = "md", stem: str = "sb818") -> Path:
    folder = tmp_path / "regulations" / "content" / regime_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def _error(tmp_path: Path, data: dict, **kwargs) -> str:
    with pytest.raises(ContentError) as exc:
        load_version_file(_write(tmp_path, data, **kwargs))
    return str(exc.value)


def test_unknown_operator_names_file_and_path(tmp_path):
    data = _md()
    data["rules"][6]["when"]["any"][0]["op"] = "equals"
    msg = _error(tmp_path, data)
    assert (
        "regulations/content/md/sb818.yaml: rules.6.when.any.0.op: unknown operator 'equals'" in msg
    )


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["rules"][0].update(colour="red"), "rules.0.colour: unknown key 'colour'"),
        (
            lambda d: d["obligations"][0].pop("citation"),
            "obligations.0.citation: missing key 'citation'",
        ),
        (
            lambda d: d["obligations"][0].update(confidence="high"),
            "obligations.0.confidence: Input should be 'H', 'M' or 'L'",
        ),
        (
            lambda d: d["rules"][1].update(id="unit"),
            "rules.1.id: duplicate id 'md.sb818.rule.unit'",
        ),
        (
            lambda d: d["rules"][0].update(id="md.other.rule.unit"),
            "rules.0.id: id 'md.other.rule.unit' must start with 'md.sb818.rule.'",
        ),
        (
            lambda d: d["rules"][0].update(id="md.sb818.rule"),
            "rules.0.id: id 'md.sb818.rule' must look like",
        ),
        (
            lambda d: d["rules"][0]["when"].update(fact="system.colour"),
            "rules.0.when.fact: unknown fact 'system.colour'",
        ),
        (
            lambda d: d["rules"][0]["when"].update(fact="__import__('os').system('x')"),
            "rules.0.when.fact: unknown fact",
        ),
        (
            lambda d: d["rules"][0]["when"].update(value=["state_agency", "ministry"]),
            "rules.0.when.value: unknown value(s) ['ministry'] for org.org_kind",
        ),
        (
            lambda d: d["rules"][0]["when"].update(op="gt"),
            "rules.0.when.op: 'gt' needs a number or date fact",
        ),
        (
            lambda d: d["rules"][4].update(
                when={"fact": "result.outcome", "op": "eq", "value": "x"}
            ),
            "rules.4.when.fact: unknown fact 'result.outcome'",
        ),
        (
            lambda d: d["rules"][6].update(outcome="severe"),
            "rules.6.outcome: unknown outcome 'severe'",
        ),
        (lambda d: d["rules"][4].update(role="minister"), "rules.4.role: unknown role 'minister'"),
        (
            lambda d: d["obligations"][0].update(who=["minister"]),
            "obligations.0.who.0: unknown role 'minister'",
        ),
        (
            lambda d: d["obligations"][1].update(assessment_template="nope"),
            "obligations.1.assessment_template: unknown template 'md.sb818.template.nope'",
        ),
        (
            lambda d: d["obligations"][0]["cadence"][0].update(due="yearly"),
            "obligations.0.cadence.0.due: bad due expression 'yearly'",
        ),
        (
            lambda d: d["obligations"][0]["cadence"].append(
                {"kind": "within_days_of_substantial_modification"}
            ),
            "obligations.0.cadence.1: cadence 'within_days_of_substantial_modification' needs 'days'",
        ),
        (
            lambda d: d["obligations"][0].update(retention="3 years"),
            "obligations.0.retention: bad due expression '3 years'",
        ),
        (
            lambda d: d["deadlines"][0].update(rrule="DTSTART:20241201\nRRULE:FREQ=FORTNIGHTLY"),
            "deadlines.0: rrule does not parse",
        ),
        (
            lambda d: d["deadlines"][0].update(rrule="RRULE:FREQ=YEARLY"),
            "deadlines.0: an rrule deadline needs a DTSTART line",
        ),
        (
            lambda d: d["deadlines"][1].update(rrule="DTSTART:20250601\nRRULE:FREQ=YEARLY"),
            "deadlines.1: give exactly one of 'date' or 'rrule'",
        ),
        (
            lambda d: d["deadlines"][1].update(obligations=["md-99"]),
            "deadlines.1.obligations.0: unknown obligation 'md.sb818.obligation.md-99'",
        ),
        (
            lambda d: d["templates"][0]["sections"][0]["questions"][5].pop("choices"),
            "templates.0.sections.0.questions.5: a choice question needs 'choices'",
        ),
        (
            lambda d: d["templates"][0]["sections"][0]["questions"][0].update(prefill="colour"),
            "templates.0.sections.0.questions.0: unknown prefill key 'colour'",
        ),
        (
            lambda d: d["templates"][0]["sections"][0]["questions"][0].update(type="essay"),
            "templates.0.sections.0.questions.0.type: Input should be",
        ),
        (lambda d: d.pop("litigation_status"), "litigation_status: a state regime must say this"),
        (
            lambda d: d.update(status="superseded"),
            "superseded_by: a superseded version names the version",
        ),
        (
            lambda d: d.update(effective_to=dt.date(2020, 1, 1)),
            "effective_to: is before effective_from",
        ),
        (
            lambda d: d["definitions"].update(loop={"ref": "loop"}),
            "definitions.loop: refers to itself",
        ),
        (
            lambda d: d["rules"][0].update(when={"ref": "missing"}),
            "rules.0.when.ref: unknown definition 'missing'",
        ),
        (
            lambda d: d["rules"][0].update(when={"all": []}),
            "rules.0.when.all: expected a non-empty list",
        ),
        (
            lambda d: d["rules"][0].update(
                when={"all": [{"fact": "on", "op": "gte", "value": "soon"}]}
            ),
            "rules.0.when.all.0.value: expected a date YYYY-MM-DD",
        ),
        (
            lambda d: d["vendor_checklist"][1].update(
                applies_when={"fact": "result.high_risk", "op": "is_true", "value": True}
            ),
            "vendor_checklist.1.applies_when.value: operator 'is_true' takes no value",
        ),
        (
            lambda d: d["sources"][0].update(url="regulon.ai"),
            "sources.0.url: String should match pattern",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_each_kind_of_bad_key_is_named(tmp_path, mutate, expected):
    data = copy.deepcopy(_md())
    mutate(data)
    msg = _error(tmp_path, data)
    assert msg.startswith("regulations/content/md/sb818.yaml: ")
    assert expected in msg, msg


def test_version_must_equal_file_stem(tmp_path):
    msg = _error(tmp_path, _md(), stem="sb818-v2")
    assert "sb818-v2.yaml: version: 'sb818' must equal the file name stem 'sb818-v2'" in msg


def test_invalid_yaml_names_line(tmp_path):
    folder = tmp_path / "regulations" / "content" / "md"
    folder.mkdir(parents=True)
    path = folder / "broken.yaml"
    path.write_text("regime: md\nrules: [\n  {id: x\n")
    with pytest.raises(ContentError, match=r"broken\.yaml: line \d+, column \d+: invalid YAML"):
        load_version_file(path)


def test_all_problems_are_reported_at_once(tmp_path):
    data = _md()
    data["rules"][0]["when"]["op"] = "equals"
    data["obligations"][0]["who"] = ["minister"]
    with pytest.raises(ContentError) as exc:
        load_version_file(_write(tmp_path, data))
    paths = [loc for loc, _ in exc.value.problems]
    assert "rules.0.when.op" in paths and "obligations.0.who.0" in paths


def test_slugs_expand_to_full_ids():
    v = load_version_file(CONTENT / "md" / "sb818.yaml")
    assert v.rules[0].id == "md.sb818.rule.unit"
    assert v.obligations[1].assessment_template == "md.sb818.template.inventory-entry"
    assert v.deadlines[0].obligations == ["md.sb818.obligation.md-01"]
    assert v.templates[0].sections[0].questions[0].id == "md.sb818.question.inv-name"


def test_yaml_booleans_are_yaml_1_2():
    data = yaml_load("fact: on\nchoices: [yes, no, off]\nflag: true\n")
    assert data == {"fact": "on", "choices": ["yes", "no", "off"], "flag": True}


@pytest.mark.parametrize(
    ("text", "kind", "fields"),
    [
        ("2026-12-31", "date", {"date": dt.date(2026, 12, 31)}),
        ("before:first use", "before", {"anchor": "first use"}),
        (
            "within:30d of an adverse decision",
            "within",
            {"n": 30, "unit": "d", "anchor": "an adverse decision"},
        ),
        ("within:15bd of an opt-out request", "within", {"n": 15, "unit": "bd"}),
        ("within:24h of discovery", "within", {"n": 24, "unit": "h"}),
        ("every:P1Y from 2024-12-01", "every", {"period": "P1Y", "anchor": "2024-12-01"}),
        ("every:P3M", "every", {"period": "P3M", "anchor": None}),
        ("retain:P3Y after each decision", "retain", {"period": "P3Y", "anchor": "each decision"}),
    ],
)
def test_due_grammar(text, kind, fields):
    due = parse_due(text)
    assert due.kind == kind
    for key, value in fields.items():
        assert getattr(due, key) == value


@pytest.mark.parametrize(
    "text", ["yearly", "within:30 days of x", "every:P", "retain:P3Y", "2026-13-45", "before:"]
)
def test_bad_due_grammar(text):
    with pytest.raises(ValueError):
        parse_due(text)


def test_parse_period():
    start = dt.date(2024, 1, 31)
    assert start + parse_period("P1M") == dt.date(2024, 2, 29)  # month end, leap year (dateutil)
    assert start + parse_period("P1Y2W") == dt.date(2025, 2, 14)
