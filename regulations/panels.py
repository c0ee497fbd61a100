"""The regulations panel on the inventory system page (interfaces item 1)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from core.audit import jsonable
from regulations.forms import ModificationForm, OverrideForm
from regulations.models import ContentVersion, Deadline, Organisation, Regime
from regulations.selectors import classification_current, overrides_active
from regulations.services.classification import (
    inputs_hash,
    rationale_changes,
    result_changes,
    version_for_regime,
)


def _changes_rows(previous, current) -> list[dict]:
    if previous is None:
        return []
    rows = []
    for name, (old, new) in result_changes(previous, current).items():
        if name.startswith("obligations_"):
            new = [str(key).rsplit(".", 1)[-1] for key in new]  # ids read better without the prefix
        rows.append({"field": name.replace("fact:", "system fact: ").replace("org:", "org fact: "),
                     "old": old, "new": new})  # fmt: skip
    return rows


def panel_context(*, system, user, override_errors: dict | None = None, form_regime: str = "",
                  modification_form: ModificationForm | None = None, open_regime: str = "") -> dict:  # fmt: skip
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
        regimes.append({
            "regime": regime,
            "result": result,
            "mode": "pending" if result and result.content_version.effective_from
            and result.content_version.effective_from > today else (mode or "in_force"),
            "stale_version": bool(result and version and result.content_version_id != version.pk),
            "override": overrides.get(regime.code),
            "changes": _changes_rows(previous, result) if result else [],
            "rule_changes": rationale_changes(previous, result) if result else [],
            "previous": previous,
            "rationale": [r for r in (result.rationale if result else []) if r.get("kind") != "obligation"],
            "obligations": [r for r in (result.rationale if result else []) if r.get("kind") == "obligation" and r.get("met")],
            "form": form,
            "open": regime.code == open_regime or form is not None,
            "outcome_changed": bool(result and previous and (
                previous.outcome != result.outcome or previous.applies != result.applies
                or previous.outcome_label != result.outcome_label)),
        })  # fmt: skip
    stale = any(r["result"] is None or r["result"].inputs_hash != digest for r in regimes)
    return {
        "regimes": regimes,
        "stale": stale and bool(regimes),
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
    }


def override_form(result) -> OverrideForm:
    """The override form for a result, starting from its computed outcome."""
    return OverrideForm(initial={"result_id": result.pk, "risk_tier": result.risk_tier,
                                 "outcome_label": result.outcome_label, "high_risk": result.high_risk})  # fmt: skip


def system_panel(*, request, system) -> dict | None:
    """Called by the inventory detail view; None would hide the panel (we always show it)."""
    return panel_context(system=system, user=request.user)
