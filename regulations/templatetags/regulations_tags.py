"""Small display helpers for regime content: confidence badges and status labels."""

from django import template
from django.utils.html import format_html

from regulations.citations import is_official
from regulations.models.content import is_unverified

register = template.Library()

CONFIDENCE = {"H": ("ok", "High"), "M": ("", "Medium"), "H/M": ("ok", "High/Medium")}
STATUS_CLASS = {"in_force": "ok", "pending": "warn", "repealed": "bad", "never_enacted": "bad",
                "superseded": "", "overdue": "bad", "due_30": "warn", "done": "ok", "upcoming": ""}  # fmt: skip
TIER_CLASS = {
    "prohibited": "bad",
    "high": "bad",
    "limited": "warn",
    "minimal": "ok",
    "not_applicable": "",
}


@register.simple_tag
def confidence_badge(confidence: str):
    """L and UNRESOLVED content is shown as unverified, as the reference asks."""
    value = str(confidence or "").strip()
    if is_unverified(value):
        return format_html(
            '<span class="badge bad" title="Confidence {}: check the primary text">Unverified ({})</span>',
            value,
            value,
        )
    css, label = CONFIDENCE.get(value.upper(), ("", value or "n/a"))
    return format_html('<span class="badge {}" title="Confidence">{}</span>', css, label)


@register.filter
def status_class(value: str) -> str:
    return STATUS_CLASS.get(str(value), "")


@register.filter
def tier_class(value: str) -> str:
    return TIER_CLASS.get(str(value), "")


@register.filter
def humanise(value) -> str:
    return str(value or "").replace("_", " ").capitalize()


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def show(value) -> str:
    """Lists as 'a, b'; None as a dash: readable before/after values."""
    if value is None:
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@register.filter
def commentary(url: str) -> bool:
    """True when a citation link is not the statute itself (a secondary source)."""
    return bool(url) and not is_official(url)
