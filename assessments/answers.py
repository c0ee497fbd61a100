"""Template questions as data: typed values, prefill from the inventory, and the canonical sign-off hash.

Pure functions over the template's `sections` JSON (interfaces 3); no database writes here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Any

import nh3
from django.core.exceptions import ValidationError

from core.audit import canonical_json

TYPES = ("text", "richtext", "choice", "multichoice", "date", "yesno", "file")
MAX_TEXT = 20_000
RICH_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "code", "blockquote"}
RICH_ATTRIBUTES = {"a": {"href", "title"}}


@dataclass(frozen=True)
class Question:
    """One template question with its section, normalised so views need no defensive lookups."""

    id: str
    section_id: str
    section_title: str
    text: str
    type: str
    required: bool
    help: str
    citation: str
    choices: tuple[tuple[str, str], ...]
    prefill: str | None
    after_approval: bool = False

    @property
    def required_to_submit(self) -> bool:
        """Required, and answerable before approval (an after-approval answer cannot block it)."""
        return self.required and not self.after_approval

    @property
    def slug(self) -> str:
        """Safe for HTML ids and CSS selectors (question ids contain dots)."""
        return "".join(ch if ch.isalnum() else "-" for ch in self.id)

    @property
    def choice_values(self) -> set[str]:
        return {value for value, _ in self.choices}

    def choice_label(self, value: str) -> str:
        return dict(self.choices).get(value, value)


def choice_words(value: str) -> str:
    """A content choice given as a code ("biometric_data", "sole-decision") reads as words
    ("Biometric data"); a plain word or a phrase is kept as written."""
    if value != value.lower() or " " in value or not ("_" in value or "-" in value):
        return value
    return value.replace("_", " ").replace("-", " ").capitalize()


def _choices(raw: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for item in raw or []:
        if isinstance(item, dict):
            value = str(item.get("value") or item.get("id") or item.get("label") or "")
            out.append((value, str(item.get("label") or item.get("text") or value)))
        else:
            value = str(item)
            out.append((value, choice_words(value)))
    return tuple(out)


def template_sections(template) -> list[dict]:
    """[{id, title, questions: [Question]}] in template order."""
    sections = []
    for s_index, section in enumerate(template.sections or []):
        sid = str(section.get("id") or f"s{s_index + 1}")
        title = str(section.get("title") or sid)
        questions = []
        for q_index, q in enumerate(section.get("questions") or []):
            qtype = str(q.get("type") or "text")
            questions.append(
                Question(
                    id=str(q.get("id") or f"{sid}.q{q_index + 1}"),
                    section_id=sid,
                    section_title=title,
                    text=str(q.get("text") or q.get("id") or ""),
                    type=qtype if qtype in TYPES else "text",
                    required=bool(q.get("required")),
                    help=str(q.get("help") or ""),
                    citation=str(q.get("citation") or ""),
                    choices=_choices(q.get("choices")),
                    prefill=q.get("prefill") or None,
                    after_approval=bool(q.get("after_approval")),
                )
            )
        slug = "".join(ch if ch.isalnum() else "-" for ch in sid)
        sections.append({"id": sid, "slug": slug, "title": title, "questions": questions})
    return sections


def question_map(template) -> dict[str, Question]:
    return {q.id: q for s in template_sections(template) for q in s["questions"]}


def template_version_label(template) -> str:
    """Binds a sign-off to the exact content file: regime/version/template@file-sha."""
    cv = template.content_version
    return f"{cv.regime.code}/{cv.version}/{template.key}@{cv.sha256[:16]}"


# --- Values ----------------------------------------------------------------------------------


def _text(raw: Any) -> str:
    text = str(raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Please keep answers under {MAX_TEXT:,} characters.")
    return text


# What a browser's editing commands write, as the tags the answers keep (one spelling each).
_EDITOR_TAGS = re.compile(r"<(/?)(b|i|div)(\s[^>]*)?>", re.IGNORECASE)
_EDITOR_NAMES = {"b": "strong", "i": "em", "div": "p"}


def sanitise_rich(raw: Any) -> str:
    """Rich text keeps only harmless inline markup; scripts, styles and event handlers are dropped."""
    text = _EDITOR_TAGS.sub(
        lambda m: f"<{m.group(1)}{_EDITOR_NAMES[m.group(2).lower()]}>", _text(raw)
    )
    # Editors keep typed spaces next to formatting as no-break spaces; answers want plain ones.
    text = text.replace("&nbsp;", " ").replace("\u00a0", " ")
    return nh3.clean(
        text,
        tags=RICH_TAGS,
        attributes=RICH_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
    ).strip()


def clean_value(question: Question, raw: Any) -> Any:
    """Validate one answer and return its stored form; empty answers become None."""
    qtype = question.type
    if qtype == "file":
        raise ValidationError("Files are attached by upload, not as a value.")
    if qtype == "text":
        return _text(raw) or None
    if qtype == "richtext":
        return sanitise_rich(raw) or None
    if qtype == "choice":
        value = _text(raw)
        if not value:
            return None
        if question.choices and value not in question.choice_values:
            raise ValidationError(f"“{value}” is not one of the choices.")
        return value
    if qtype == "multichoice":
        values = raw if isinstance(raw, list | tuple) else ([raw] if raw else [])
        values = [_text(v) for v in values if _text(v)]
        unknown = [v for v in values if question.choices and v not in question.choice_values]
        if unknown:
            raise ValidationError(f"Not among the choices: {', '.join(unknown)}.")
        order = [v for v, _ in question.choices] or values
        return (
            sorted(set(values), key=lambda v: order.index(v) if v in order else len(order)) or None
        )
    if qtype == "date":
        value = _text(raw)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValidationError("Enter a date as YYYY-MM-DD.") from None
    if qtype == "yesno":
        data = raw if isinstance(raw, dict) else {"value": raw}
        choice = _text(data.get("value")).lower()
        explanation = _text(data.get("explanation"))
        if choice not in ("", "yes", "no"):
            raise ValidationError("Answer yes or no.")
        if not choice and not explanation:
            return None
        return {"value": choice, "explanation": explanation}
    raise ValidationError(f"Unknown question type {qtype}.")


def value_from_form(question: Question, data) -> Any:
    """Read one question's inputs from POST data (QueryDict or dict)."""
    if question.type == "multichoice":
        return data.getlist("value") if hasattr(data, "getlist") else data.get("value", [])
    if question.type == "yesno":
        return {"value": data.get("value", ""), "explanation": data.get("explanation", "")}
    return data.get("value", "")


def is_answered(question: Question, value: Any, attachments: list | None = None) -> bool:
    if question.type == "file":
        return bool(attachments)
    if question.type == "yesno":
        return bool(value and value.get("value"))
    return value not in (None, "", [], {})


def display_value(question: Question, value: Any, attachments: list | None = None) -> str:
    """Plain text for diffs and lists."""
    if question.type == "file":
        return "\n".join(f"{a['name']} (sha256 {a['sha256'][:12]}…)" for a in attachments or [])
    if value in (None, "", []):
        return ""
    if question.type == "multichoice":
        return ", ".join(question.choice_label(v) for v in value)
    if question.type == "choice":
        return question.choice_label(value)
    if question.type == "yesno":
        text = value.get("value", "").capitalize()
        return f"{text}: {value['explanation']}" if value.get("explanation") else text
    if question.type == "richtext":
        return nh3.clean(value, tags=set()).strip()
    return str(value)


# --- Prefill ---------------------------------------------------------------------------------


def _lookup(system, key: str) -> tuple[bool, Any]:
    facts = system.facts()
    if key in facts:
        return True, facts[key]
    field = next((f for f in system._meta.concrete_fields if f.name == key), None)
    if field is None:
        return False, None
    value = getattr(system, key)
    if getattr(field, "choices", None):
        value = getattr(system, f"get_{key}_display")()
    elif field.is_relation:
        value = str(value) if value is not None else ""
    return True, value


def _labelled(system, key: str, raw: Any) -> Any:
    """An inventory code ("sole", ["health"]) as its label, for answers people read."""
    field = next((f for f in system._meta.concrete_fields if f.name == key), None)
    choices = getattr(field, "choices", None) or getattr(
        getattr(field, "base_field", None), "choices", None
    )
    if not choices:
        return raw
    labels = {str(value): str(label) for value, label in choices}
    if isinstance(raw, list | tuple):
        return [labels.get(str(v), v) for v in raw]
    return labels.get(str(raw), raw)


def prefill_value(question: Question, system) -> Any:
    """The inventory's value for a question mapped with `prefill`, in the question's type, or None."""
    if not question.prefill or question.type == "file":
        return None
    found, raw = _lookup(system, question.prefill)
    if not found or raw in (None, "", []):
        return None
    try:
        if question.type in ("text", "richtext"):
            raw = _labelled(system, question.prefill, raw)
            if isinstance(raw, bool):
                raw = "Yes" if raw else "No"
            elif isinstance(raw, list | tuple):
                raw = ", ".join(str(v) for v in raw)
            return clean_value(question, str(raw))
        if question.type == "yesno":
            return clean_value(question, {"value": "yes" if raw else "no"})
        if question.type == "multichoice":
            values = raw if isinstance(raw, list | tuple) else [raw]
            return clean_value(
                question, [v for v in map(str, values) if v in question.choice_values]
            )
        if question.type == "date":
            return clean_value(question, raw.isoformat() if hasattr(raw, "isoformat") else raw)
        return clean_value(question, str(raw))
    except ValidationError:
        return None


# --- Canonical hash --------------------------------------------------------------------------


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, dict):
        items = {str(k): _normalise(v) for k, v in value.items()}
        return {k: v for k, v in items.items() if v not in (None, "", [], {})}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


def canonical_payload(*, answers: dict, attachments: dict, template_version: str) -> dict:
    """What a sign-off covers: answers, attachment hashes (sorted) and the template version."""
    hashes = {
        str(qid): sorted(a["sha256"] if isinstance(a, dict) else str(a) for a in items)
        for qid, items in (attachments or {}).items()
        if items
    }
    return {
        "answers": _normalise(answers or {}),
        "attachments": hashes,
        "template_version": template_version,
    }


def canonical_hash(*, answers: dict, attachments: dict, template_version: str) -> str:
    """sha256 of the canonical JSON (sorted keys, no insignificant whitespace, UTF-8)."""
    payload = canonical_payload(
        answers=answers, attachments=attachments, template_version=template_version
    )
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
