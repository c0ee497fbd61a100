"""Display helpers for OAuth grants, gateway usage and budgets."""

from decimal import Decimal, InvalidOperation

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import FieldDoesNotExist
from django.utils.dateparse import parse_datetime

from discovery.selectors_usage import scope_class_label

register = template.Library()


@register.filter
def money(value) -> str:
    """An amount in the gateway's currency (LiteLLM and Bedrock price in US dollars), 2 places."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return "—"
    whole, _, cents = f"{amount:.2f}".partition(".")
    return f"{intcomma(int(whole)) if whole != '-0' else '0'}.{cents}"


@register.filter
def scope_label(value: str) -> str:
    return scope_class_label(str(value))


@register.filter
def percent_class(value) -> str:
    """Budget burn colour: 100 % and over is bad, 80 % (the first alert) a warning."""
    try:
        n = float(value)
    except (TypeError, ValueError):
        return ""
    if n >= 100:
        return "bad"
    if n >= 80:
        return "warn"
    return "ok"


@register.filter
def proposal_items(finding) -> list[tuple[str, str]]:
    """A drift finding's proposal ({field: value or values to add}) as (field label, values)."""
    from inventory.models import AISystem

    items = []
    for field, value in ((finding.evidence or {}).get("proposal") or {}).items():
        try:
            label = str(AISystem._meta.get_field(field).verbose_name).capitalize()
        except FieldDoesNotExist:  # a field the record no longer has is shown by its name
            label = field.replace("_", " ").capitalize()
        text = ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
        items.append((label, text))
    return items


@register.filter
def iso_time(value) -> str:
    """An ISO timestamp stored in a finding's evidence, as the pages write times (UTC)."""
    when = parse_datetime(str(value or ""))
    return when.strftime("%Y-%m-%d %H:%M") if when else "—"
