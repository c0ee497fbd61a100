"""Display helpers for inventory vocabularies."""

from django import template

from inventory import vocab
from inventory.forms import FIELDSETS, AISystemForm
from inventory.models import RiskTier
from inventory.widgets import checkbox_items

register = template.Library()

VOCABS = {
    "roles": vocab.OurRole,
    "jurisdictions": vocab.Jurisdiction,
    "domains": vocab.Domain,
    "capabilities": vocab.Capability,
    "data_categories": vocab.DataCategory,
    "decision_role": vocab.DecisionRole,
    "model_type": vocab.ModelType,
}
SENSITIVE = {str(c) for c in vocab.SENSITIVE_DATA}
# Built once: TextChoices.choices makes a new list on every access, and tables call these per row.
LABELS = {name: dict(choices.choices) for name, choices in VOCABS.items()}


@register.filter
def labels(values, vocabulary: str) -> list[str]:
    """['CO', 'DE'] -> ['Colorado', 'EU: Germany'] for the named vocabulary."""
    choices = LABELS[vocabulary]
    return [choices.get(v, v) for v in values or []]


@register.filter
def sensitive(value: str) -> bool:
    return value in SENSITIVE


@register.filter
def data_labels(values) -> list[tuple[str, bool]]:
    choices = LABELS["data_categories"]
    return [(choices.get(v, v), v in SENSITIVE) for v in values or []]


@register.filter
def short_value(value) -> str:
    """Audit diffs may hold long text or lists; keep the history table readable."""
    if value is None or value == "" or value == []:
        return "∅"
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


@register.filter
def code_label(value: str) -> str:
    """substantial_factor -> Substantial factor: short labels for dense tables."""
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "—"


@register.filter
def checkboxes(field) -> str:
    """A bound multi-choice filter field's checkbox list (see widgets.checkbox_items)."""
    return checkbox_items(field.html_name, field.field.choices, field.value())


@register.filter
def law_facts(system) -> list[tuple[str, str]]:
    """The recorded facts of the 'EU AI Act facts' and 'US state facts' sections, as (label, value)."""
    fields = AISystemForm.base_fields
    meta_labels = AISystemForm.Meta.labels
    out = []
    for title, names in FIELDSETS:
        if title not in {"EU AI Act facts", "US state facts"}:
            continue
        for name in names:
            value = getattr(system, name)
            if value in (None, False, "", []):
                continue
            label = str(fields[name].label or meta_labels.get(name) or name)
            if name == "purposes":
                shown = ", ".join(dict(vocab.Purpose.choices).get(v, v) for v in value)
            elif name == "employment_decision_kind":
                shown = system.get_employment_decision_kind_display()
            elif value is True:
                shown = "Yes"
            else:
                shown = str(value)
            out.append((label, shown))
    return out


TIER_LABELS = dict(RiskTier.choices)


@register.filter
def tier_label(value: str) -> str:
    """'high' -> 'High risk'; the tiers classification reports."""
    return TIER_LABELS.get(value, value or "")
