"""The regulations panel on the inventory system page (interfaces item 1)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from core.audit import jsonable
from inventory.forms import LIST_FIELDS, AISystemForm
from regulations.citations import is_official
from regulations.forms import ModificationForm, OrganisationForm, OverrideForm
from regulations.log_coverage import log_coverage
from regulations.models import ContentVersion, Deadline, Organisation, Regime
from regulations.selectors import classification_current, overrides_active
from regulations.services.classification import (
    inputs_hash,
    rationale_changes,
    result_changes,
    version_for_regime,
)


def _fact_label(name: str) -> str:
    """'system.purposes' -> the inventory field's verbose name ('Annex III purposes')."""
    ns, _, key = name.partition(".")
    form = {"system": AISystemForm, "org": OrganisationForm}.get(ns)
    field = form.base_fields.get(key) if form else None
    if field is not None and field.label:
        return str(field.label)
    if form is not None and key in getattr(form.Meta, "labels", {}):
        return str(form.Meta.labels[key])
    return key.replace("_", " ").capitalize()


def _fact_value(name: str, value) -> str:
    """Vocabulary codes as their labels; lists joined; booleans yes/no."""
    key = name.partition(".")[2]
    choices: dict = {}
    if key in LIST_FIELDS:
        choices = dict(LIST_FIELDS[key].choices)
    elif key in AISystemForm.base_fields and hasattr(AISystemForm.base_fields[key], "choices"):
        choices = {str(k): v for k, v in AISystemForm.base_fields[key].choices}
    if value is None:
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value) or "none"
    return str(choices.get(str(value), value))


def plain_view(result) -> dict:
    """The readable lead of a result: one sentence, the facts that decided it, the law first."""
    details = result.details or {}
    deciding = details.get("deciding_rule")
    row = (
        next((r for r in result.rationale if r.get("rule_id") == deciding), None)
        if deciding
        else None
    )
    law = None
    if row is not None:
        law = {
            "citation": row.get("citation"),
            "url": row.get("url"),
            "official": is_official(row.get("url") or ""),
        }
    facts = [
        {"label": _fact_label(f["fact"]), "value": _fact_value(f["fact"], f.get("value"))}
        for f in details.get("deciding_facts") or []
    ]
    also = [{**a, "official": is_official(a.get("url") or "")} for a in details.get("also") or []]
    return {
        "headline": result.headline or result.outcome_label,
        "facts": facts,
        "law": law,
        "also": also,
    }


def _changes_rows(previous, current) -> list[dict]:
    if previous is None:
        return []
    rows = []
    for name, (old, new) in result_changes(previous, current).items():
        if name.startswith("obligations_"):
            new = [str(key).rsplit(".", 1)[-1] for key in new]  # ids read better without the prefix
        rows.append(
            {
                "field": name.replace("fact:", "system fact: ").replace("org:", "org fact: "),
                "old": old,
                "new": new,
            }
        )
    return rows


def panel_context(
    *,
    system,
    user,
    override_errors: dict | None = None,
    form_regime: str = "",
    modification_form: ModificationForm | None = None,
    open_regime: str = "",
) -> dict:
    """Everything the partial draws; also used by the panel's own HTMX endpoints.

    `open_regime` keeps the regime the user just acted on (an override recorded or withdrawn)
    expanded when the panel is drawn again.
    """
    today = timezone.localdate()
    current = classification_current(system)
    overrides = overrides_active(system)
    digest = inputs_hash(facts=jsonable(system.facts()), org=Organisation.get().facts())
    regimes = []
    versions = Prefetch("versions", queryset=ContentVersion.objects.defer("data"))
    for regime in Regime.objects.prefetch_related(versions):
        result = current.get(regime.code)
        version, mode = version_for_regime(regime=regime, on=today)
        if result is None and version is None:
            continue
        form = None  # drawn only to show its errors; otherwise fetched when the user opens it
        if result is not None and override_errors is not None and form_regime == regime.code:
            form = override_errors.get("form")
        previous = result.previous if result is not None else None
        regimes.append(
            {
                "regime": regime,
                "result": result,
                "plain": plain_view(result) if result else None,
                "was": (previous.headline or previous.outcome_label) if previous else "",
                "pending_from": result.pending_from
                if result and result.pending_from and result.pending_from > today
                else None,
                "mode": "pending"
                if result
                and result.content_version.effective_from
                and result.content_version.effective_from > today
                else (mode or "in_force"),
                "stale_version": bool(
                    result and version and result.content_version_id != version.pk
                ),
                "override": overrides.get(regime.code),
                "changes": _changes_rows(previous, result) if result else [],
                "rule_changes": rationale_changes(previous, result) if result else [],
                "previous": previous,
                "rationale": [
                    r for r in (result.rationale if result else []) if r.get("kind") != "obligation"
                ],
                "obligations": [
                    r
                    for r in (result.rationale if result else [])
                    if r.get("kind") == "obligation" and r.get("met")
                ],
                "form": form,
                "open": regime.code == open_regime or form is not None,
                "outcome_changed": bool(
                    result
                    and previous
                    and (
                        previous.outcome != result.outcome
                        or previous.applies != result.applies
                        or previous.outcome_label != result.outcome_label
                        or previous.pending_from != result.pending_from
                    )
                ),
            }
        )
    stale = any(r["result"] is None or r["result"].inputs_hash != digest for r in regimes)
    return {
        "regimes": regimes,
        "stale": stale and bool(regimes) and not system.needs_facts,
        "can_classify": user.has_perm("regulations.classify_system"),
        "can_override": user.has_perm("regulations.override_classification"),
        "can_modify": user.has_perm("regulations.add_substantialmodification"),
        "modification_form": modification_form or ModificationForm(initial={"on": today}),
        "modifications": list(system.substantial_modifications.select_related("recorded_by")[:5]),
        "deadlines": list(
            Deadline.objects.filter(
                system=system, completed_at__isnull=True, cancelled_at__isnull=True
            ).order_by("due_date")[:8]
        ),
        "today": today,
        "log_coverage": log_coverage(system=system, on=today),
    }


def override_form(result) -> OverrideForm:
    """The override form for a result, starting from its computed outcome."""
    return OverrideForm(
        initial={
            "result_id": result.pk,
            "risk_tier": result.risk_tier,
            "outcome_label": result.outcome_label,
            "high_risk": result.high_risk,
        }
    )


def system_panel(*, request, system) -> dict | None:
    """Called by the inventory detail view; None would hide the panel (we always show it)."""
    return panel_context(system=system, user=request.user)
