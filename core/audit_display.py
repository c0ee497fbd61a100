"""How an audit entry's `changes` read on screen and in exports, whatever shape a writer stored.

Most writers store `{field: [old, new]}`; some store a plain value (`"revision": 2`), a plain
list (`"added": [...]`) or a small mapping (`"file": {...}`). Entries are immutable, so the
reader copes with every shape instead of the writers being changed.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html, format_html_join, strip_tags
from django.utils.safestring import SafeString, mark_safe

# Fields whose value is a plain list even when it happens to hold exactly two items.
PLAIN_LIST_FIELDS: dict[str, frozenset[str]] = {
    "assessment.start": frozenset({"prefilled"}),
    "checklist.sync": frozenset({"added"}),
}

_HEX = re.compile(r"^[0-9a-f]{32,}$")
_TAG = re.compile(r"<[a-zA-Z/][^>]*>")
HASH_SHOWN = 12
TEXT_SHOWN = 160
ROWS_SHOWN = 6


@dataclass(frozen=True)
class Change:
    """One field of an entry: `kind` is set, cleared, changed or value (a plain recorded value)."""

    field: str
    kind: str
    old: Any = None
    new: Any = None


def is_pair(action: str, field: str, value: Any) -> bool:
    if not isinstance(value, list) or len(value) != 2:
        return False
    return field not in PLAIN_LIST_FIELDS.get(action, frozenset())


def changes_of(action: str, changes: Any) -> list[Change]:
    if not isinstance(changes, dict):
        return [Change("value", "value", new=changes)] if changes not in (None, "") else []
    rows = []
    # Field order by name: PostgreSQL's jsonb does not keep the order a writer used (SQLite does),
    # so the page and the CSV read alike on both.
    for field, value in sorted(changes.items()):
        if is_pair(action, field, value):
            old, new = value
            if old is None and new is not None:
                rows.append(Change(field, "set", new=new))
            elif new is None and old is not None:
                rows.append(Change(field, "cleared", old=old))
            else:
                rows.append(Change(field, "changed", old=old, new=new))
        else:
            rows.append(Change(field, "value", new=value))
    return rows


def is_hash(value: Any) -> bool:
    return isinstance(value, str) and bool(_HEX.match(value))


def plain_text(value: Any) -> str:
    """The value as one line of text (CSV): JSON-like, with hashes and long text kept whole."""
    if value is None:
        return "∅"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "[" + ", ".join(plain_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {plain_text(v)}" for k, v in sorted(value.items())) + "}"
    if value == "":
        return '""'
    return str(value)


def change_text(change: Change) -> str:
    if change.kind == "set":
        return f"{change.field}: {plain_text(change.new)}"
    if change.kind == "cleared":
        return f"{change.field}: {plain_text(change.old)} → ∅"
    if change.kind == "changed":
        return f"{change.field}: {plain_text(change.old)} → {plain_text(change.new)}"
    return f"{change.field} = {plain_text(change.new)}"


def changes_text(action: str, changes: Any) -> str:
    return "; ".join(change_text(c) for c in changes_of(action, changes))


def value_html(value: Any) -> SafeString:
    if value is None:
        return mark_safe('<span class="v-none" title="no value">∅</span>')
    if isinstance(value, bool):
        return mark_safe(f'<span class="v-bool">{"yes" if value else "no"}</span>')
    if isinstance(value, int | float):
        shown = f"{value:,}" if isinstance(value, int) else f"{value:,.6g}"
        return format_html('<span class="v-num">{}</span>', shown)
    if isinstance(value, list):
        if not value:
            return mark_safe('<span class="v-empty">none</span>')
        return format_html(
            '<span class="v-list">{}</span>',
            format_html_join(
                "", '<span class="v-item">{}</span>', ((value_html(v),) for v in value)
            ),
        )
    if isinstance(value, dict):
        return format_html(
            '<span class="v-map">{}</span>',
            format_html_join(
                "",
                '<span class="v-kv"><span class="v-key">{}</span> {}</span>',
                ((k, value_html(v)) for k, v in sorted(value.items())),
            ),
        )
    text = str(value)
    if text == "":
        return mark_safe('<span class="v-empty">empty</span>')
    if _TAG.search(text):  # sanitised rich text reads as its words; the CSV keeps the markup
        text = strip_tags(text).strip()
    if is_hash(text):
        return format_html(
            '<span class="v-hash"><code title="{}">{}…</code>'
            '<button type="button" class="copy" data-copy="{}" aria-label="Copy {}">Copy</button></span>',
            text,
            text[:HASH_SHOWN],
            text,
            text,
        )
    if len(text) > TEXT_SHOWN:
        return format_html(
            '<details class="v-long"><summary>{}…</summary>{}</details>', text[:TEXT_SHOWN], text
        )
    return format_html('<span class="v-text">{}</span>', text)


def _list_delta(old: list, new: list) -> SafeString:
    """A list that changed reads as what was removed and what was added."""
    removed = [v for v in old if v not in new]
    added = [v for v in new if v not in old]
    parts = [format_html("<del>{}</del>", value_html(v)) for v in removed]
    parts += [format_html("<ins>{}</ins>", value_html(v)) for v in added]
    return (
        mark_safe(" ".join(parts)) if parts else mark_safe('<span class="muted">reordered</span>')
    )


def change_html(change: Change) -> SafeString:
    label = format_html('<b class="field">{}</b>', change.field)
    if change.kind == "set":
        return format_html('<div class="change set">{} {}</div>', label, value_html(change.new))
    if change.kind == "cleared":
        return format_html(
            '<div class="change cleared">{} <del>{}</del> <span class="muted">removed</span></div>',
            label,
            value_html(change.old),
        )
    if change.kind == "changed":
        if isinstance(change.old, list) and isinstance(change.new, list):
            return format_html(
                '<div class="change changed">{} {}</div>',
                label,
                _list_delta(change.old, change.new),
            )
        return format_html(
            '<div class="change changed">{} <del>{}</del> <span aria-label="changed to">→</span> '
            "<ins>{}</ins></div>",
            label,
            value_html(change.old),
            value_html(change.new),
        )
    return format_html('<div class="change value">{} {}</div>', label, value_html(change.new))


def _blank(value: Any) -> bool:
    return value in ("", [], {})


def changes_html(action: str, changes: Any) -> SafeString:
    """Fields a write set to nothing (a creation's empty fields) are named on one line at the end."""
    items = changes_of(action, changes)
    blank = [c.field for c in items if c.kind == "set" and _blank(c.new)]
    rows = [change_html(c) for c in items if not (c.kind == "set" and _blank(c.new))]
    if blank:
        rows.append(
            format_html('<div class="change blank muted">left empty: {}</div>', ", ".join(blank))
        )
    if not rows:
        return mark_safe('<span class="muted">—</span>')
    head, rest = rows[:ROWS_SHOWN], rows[ROWS_SHOWN:]
    html = mark_safe("".join(head))
    if rest:
        html += format_html(
            '<details class="more-changes"><summary>{} more field{}</summary>{}</details>',
            len(rest),
            "" if len(rest) == 1 else "s",
            mark_safe("".join(rest)),
        )
    return html
