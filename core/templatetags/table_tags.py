"""Helpers for dense tables, where Django's `{% url %}`, `date` and `intcomma` cost ~0.1 ms a cell.

Each gives the same text as the built-in it replaces (en-us, the project's only locale).
"""

import datetime as dt
from functools import lru_cache

from django import template
from django.urls import reverse
from django.utils import timezone

register = template.Library()

_PK_MARK = 987654321


@register.simple_tag(takes_context=True)
def pk_url(context, name: str, pk: int) -> str:
    """{% url name pk %} for a route with one integer `pk`: one reversal per route and request.

    The parts are kept on the request, the scope of its URLconf and script prefix.
    """
    request = context.get("request")
    parts = getattr(request, "_pk_url_parts", None)
    if parts is None:
        parts = {}
        if request is not None:
            request._pk_url_parts = parts
    if name not in parts:
        head, _, tail = reverse(name, kwargs={"pk": _PK_MARK}).partition(str(_PK_MARK))
        parts[name] = (head, tail)
    head, tail = parts[name]
    return f"{head}{int(pk)}{tail}"


@register.filter
def stamp(value: dt.datetime | dt.date | None, length: int = 16) -> str:
    """|date:"Y-m-d H:i" in the current time zone; `|stamp:10` keeps the date only."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.get_current_timezone())
        v = value  # formatted by hand: strftime alone is ~5 µs
        return f"{v.year:04d}-{v.month:02d}-{v.day:02d} {v.hour:02d}:{v.minute:02d}"[:length]
    return value.isoformat()[:length]


@register.filter
def num(value) -> str:
    """|intcomma for whole numbers: 1234567 -> 1,234,567."""
    if value is None or value == "":
        return ""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


@lru_cache(maxsize=256)
def _choice_labels(model: type, field: str) -> dict:
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


@register.filter
def display(obj, field: str) -> str:
    """obj.get_<field>_display(), with the field's labels built once instead of on every call."""
    value = getattr(obj, field)
    return _choice_labels(type(obj), field).get(value, value)
