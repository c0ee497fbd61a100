"""Running the pure engine for a system and storing a result only when something changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from core.audit import audit_record, canonical_json, jsonable
from inventory.models import AISystem
from inventory.services import ai_system_risk_record
from regulations import engine
from regulations.models import (
    ClassificationResult,
    ContentVersion,
    ManualOverride,
    Organisation,
    Regime,
)
from regulations.models.classification import RiskTier
from regulations.services.content import content_version_model
from regulations.services.deadlines import (
    deadlines_retire_organisation_copies,
    deadlines_sync_for_system,
)


def version_for_regime(*, regime: Regime, on: dt.date) -> tuple[ContentVersion | None, str]:
    """The engine's rule: the version in effect on `on`, else the next pending one (evaluated prospectively)."""
    # The cached pydantic model has the content; pages listing every regime prefetch the versions.
    prefetched = getattr(regime, "_prefetched_objects_cache", {}).get("versions")
    versions = list(prefetched if prefetched is not None else regime.versions.defer("data"))
    if not versions:
        return None, ""
    pairs = [(content_version_model(cv), cv) for cv in versions]
    chosen = engine.version_for_date([model for model, _cv in pairs], on)
    cv = next((cv for model, cv in pairs if model is chosen), None)
    if cv is None:
        return None, ""
    if not getattr(chosen, "applies_to_systems", True):
        return None, ""
    return cv, "pending" if cv.effective_from and cv.effective_from > on else "in_force"


def inputs_hash(*, facts: dict, org: dict) -> str:
    return hashlib.sha256(canonical_json({"facts": facts, "org": org}).encode()).hexdigest()


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def evaluation_fields(evaluation: Any) -> dict[str, Any]:
    """Engine output as the JSON-safe columns we store; extras go into `details`."""
    data = evaluation.to_dict() if hasattr(evaluation, "to_dict") else _plain(evaluation)
    tier = str(data.get("risk_tier") or RiskTier.NOT_APPLICABLE)
    fields = jsonable(
        {
            "applies": bool(data.get("applies")),
            "roles": list(data.get("roles") or []),
            "outcome": str(data.get("outcome") or ""),
            "outcome_label": str(data.get("outcome_label") or ""),
            "risk_tier": tier if tier in RiskTier.values else RiskTier.NOT_APPLICABLE,
            "high_risk": bool(data.get("high_risk")),
            "pending_from": data.get("in_force_from") if data.get("pending") else None,
            "headline": str(data.get("headline") or "")[:400],
            "next_change_on": data.get("next_change_on"),
            "triggered_obligations": list(data.get("triggered_obligations") or []),
            "rationale": [_plain(row) for row in (data.get("rationale") or [])],
            "details": {
                key: data.get(key)
                for key in (
                    "deciding_rule",
                    "obligations",
                    "templates",
                    "checklist_items",
                    "deadlines",
                    "in_force_from",
                    "pending",
                    "deciding_facts",
                    "also",
                )
            },
        }
    )
    for key in ("pending_from", "next_change_on"):
        if fields[key]:
            fields[key] = dt.date.fromisoformat(str(fields[key])[:10])
    return fields


def _signature(fields: dict) -> tuple:
    """What counts as a change: outcome, roles, obligations and which rules were met, not the
    date text in the window row (it names today's date and would make a new row every day)."""
    details = fields.get("details") or {}
    return (
        fields["applies"],
        tuple(fields["roles"]),
        fields["outcome"],
        fields["outcome_label"],
        fields["risk_tier"],
        fields["high_risk"],
        tuple(fields["triggered_obligations"]),
        _iso(fields.get("pending_from")),
        fields.get("headline", ""),
        tuple((row.get("rule_id"), row.get("met")) for row in fields["rationale"]),
        tuple((o.get("id"), o.get("in_force")) for o in details.get("obligations") or []),
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def latest_result(*, system, regime: Regime) -> ClassificationResult | None:
    return (
        ClassificationResult.objects.filter(system=system, regime=regime)
        .order_by("-computed_at", "-pk")
        .first()
    )


@transaction.atomic
def classification_run(
    *, system, version: ContentVersion | None = None, actor=None, on: dt.date | None = None
) -> list[ClassificationResult]:
    """Evaluate every regime (or one given version); a new row only when inputs, version or output changed."""
    today = on or timezone.localdate()
    if system.needs_facts:
        # Sanctioned but not yet described: an outcome from guessed facts would mislead.
        ai_system_risk_record(system=system, tiers={})
        return []
    facts = jsonable(system.facts())
    org = Organisation.get().facts()
    digest = inputs_hash(facts=facts, org=org)
    if version is not None:
        pairs = [(version.regime, version)]
    else:
        pairs = []
        for regime in Regime.objects.all():
            chosen, _mode = version_for_regime(regime=regime, on=today)
            if chosen is not None:
                pairs.append((regime, chosen))
    results = []
    changed = False
    for regime, cv in pairs:
        when = today
        evaluation = engine.evaluate(
            facts=facts, org=org, version=content_version_model(cv), on=when
        )
        fields = evaluation_fields(evaluation)
        previous = latest_result(system=system, regime=regime)
        unchanged = (
            previous is not None
            and previous.inputs_hash == digest
            and previous.content_version_id == cv.pk
            and _signature(previous.__dict__) == _signature(fields)
        )
        if unchanged:
            if previous.next_change_on != fields["next_change_on"]:
                # Only the scheduling hint moved (a date passed, nothing else changed): keep it
                # current so the daily task does not pick the same result again.
                ClassificationResult.objects.filter(pk=previous.pk).update(
                    next_change_on=fields["next_change_on"]
                )
                previous.next_change_on = fields["next_change_on"]
            results.append(previous)
            continue
        changed = True
        result = ClassificationResult.objects.create(
            system=system,
            regime=regime,
            content_version=cv,
            inputs_hash=digest,
            inputs={"facts": facts, "org": org},
            evaluated_on=when,
            previous=previous,
            computed_at=timezone.now(),
            **fields,
        )
        audit_record(
            actor=actor,
            action="classification.change",
            target=result,
            changes=result_changes(previous, result),
        )
        results.append(result)

    ai_system_risk_record(
        system=system,
        tiers={r.regime.code: risk_token(r) for r in results},
        merge=version is not None,
    )
    if (
        changed
        or not system.deadlines.exists()
        or deadlines_retire_organisation_copies(system=system, actor=actor)
    ):
        # Per-system copies of an organisation-wide date (made before content said so) are
        # retired above; the sync then makes sure the one organisation-wide deadline exists.
        deadlines_sync_for_system(system=system, results=results, actor=actor, on=today)
    return results


def risk_token(result: ClassificationResult) -> str:
    """The tier the inventory shows and filters by, counted as the dashboard counts it."""
    if result.risk_tier == RiskTier.PROHIBITED:
        return RiskTier.PROHIBITED
    if not result.applies:
        return RiskTier.NOT_APPLICABLE
    if result.high_risk:
        return RiskTier.HIGH
    return result.risk_tier or RiskTier.NOT_APPLICABLE


def result_changes(previous: ClassificationResult | None, current: ClassificationResult) -> dict:
    """What differs between two results, in the audit trail's {field: [old, new]} shape."""
    changes: dict[str, list] = {}
    if previous is None or previous.content_version_id != current.content_version_id:
        changes["content_version"] = [
            str(previous.content_version) if previous else None,
            str(current.content_version),
        ]
    for name in (
        "applies",
        "outcome_label",
        "risk_tier",
        "high_risk",
        "roles",
        "pending_from",
        "headline",
    ):
        old = getattr(previous, name) if previous else None
        new = getattr(current, name)
        if old != new:
            changes[name] = [old, new]
    old_obl = set(previous.triggered_obligations) if previous else set()
    new_obl = set(current.triggered_obligations)
    if new_obl - old_obl:
        changes["obligations_added"] = [None, sorted(new_obl - old_obl)]
    if old_obl - new_obl:
        changes["obligations_removed"] = [None, sorted(old_obl - new_obl)]
    if previous and previous.inputs_hash != current.inputs_hash:
        fp, fc = previous.inputs.get("facts", {}), current.inputs.get("facts", {})
        for key in sorted(set(fp) | set(fc)):
            if fp.get(key) != fc.get(key):
                changes[f"fact:{key}"] = [fp.get(key), fc.get(key)]
        op, oc = previous.inputs.get("org", {}), current.inputs.get("org", {})
        for key in sorted(set(op) | set(oc)):
            if op.get(key) != oc.get(key):
                changes[f"org:{key}"] = [op.get(key), oc.get(key)]
    return changes


def rationale_changes(
    previous: ClassificationResult | None, current: ClassificationResult
) -> list[dict]:
    """Rules whose 'met' flipped between two results, for the 'what changed' panel."""
    if previous is None:
        return []
    before = {row.get("rule_id"): row for row in previous.rationale}
    out = []
    for row in current.rationale:
        if row.get("kind") == "obligation":
            continue  # reported as obligations added/removed
        old = before.get(row.get("rule_id"))
        if old is None:
            out.append({"rule_id": row.get("rule_id"), "before": None, "after": row.get("met")})
        elif old.get("met") != row.get("met"):
            out.append(
                {"rule_id": row.get("rule_id"), "before": old.get("met"), "after": row.get("met")}
            )
    return out


@transaction.atomic
def classification_override(
    *,
    actor,
    result: ClassificationResult,
    outcome_label: str,
    risk_tier: str,
    high_risk: bool,
    justification: str,
) -> ManualOverride:
    """An officer's judgement is recorded beside the computed result, which stays as computed."""
    if not (justification or "").strip():
        raise ValidationError({"justification": "A justification is required."})
    if risk_tier not in RiskTier.values:
        raise ValidationError({"risk_tier": "Choose a risk tier."})
    if not (outcome_label or "").strip():
        raise ValidationError({"outcome_label": "Describe the outcome you record."})
    now = timezone.now()
    for old in ManualOverride.objects.select_for_update().filter(
        system=result.system, regime=result.regime, withdrawn_at__isnull=True
    ):
        old.withdrawn_at, old.withdrawn_by = now, actor
        old.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_record(
            actor=actor,
            action="classification.override_replace",
            target=old,
            changes={"withdrawn_at": [None, now.isoformat()]},
        )
    override = ManualOverride(
        system=result.system,
        regime=result.regime,
        result=result,
        outcome_label=outcome_label.strip()[:300],
        risk_tier=risk_tier,
        high_risk=high_risk,
        justification=justification.strip(),
        created_by=actor,
    )
    override.full_clean()
    override.save()
    audit_record(
        actor=actor,
        action="classification.override",
        target=override,
        changes={
            "computed": [None, f"{result.outcome_label} ({result.risk_tier})"],
            "override": [None, f"{override.outcome_label} ({override.risk_tier})"],
            "justification": [None, override.justification],
            "content_version": [None, str(result.content_version)],
        },
    )
    return override


@transaction.atomic
def classification_override_withdraw(*, actor, override: ManualOverride) -> ManualOverride:
    """Withdrawing keeps the row; the computed outcome alone applies again."""
    if override.withdrawn_at is None:
        override.withdrawn_at, override.withdrawn_by = timezone.now(), actor
        override.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_record(
            actor=actor,
            action="classification.override_withdraw",
            target=override,
            changes={"withdrawn_at": [None, override.withdrawn_at.isoformat()]},
        )
    return override


def classification_pending_refresh(*, on: dt.date | None = None) -> int:
    """Re-evaluate every system whose current result names a date that has come (its pending
    start, or a duty's start or end).

    Results never go stale when a date passes: the run stores the new outcome with an audit
    entry (classification.change), exactly as a fact edit would. Returns the systems re-run.
    """
    today = on or timezone.localdate()
    latest = ClassificationResult.objects.filter(
        system=OuterRef("system"), regime=OuterRef("regime")
    ).order_by("-computed_at", "-pk")
    due = (
        ClassificationResult.objects.filter(
            Q(pending_from__lte=today) | Q(next_change_on__lte=today)
        )
        .annotate(latest=Subquery(latest.values("pk")[:1]))
        .filter(pk=F("latest"))
        .values_list("system_id", flat=True)
        .distinct()
    )
    count = 0
    for system in AISystem.objects.filter(pk__in=list(due)).order_by("pk"):
        classification_run(system=system, on=today)
        count += 1
    return count
