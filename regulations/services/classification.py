"""Running the pure engine for a system and storing a result only when something changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import audit_record, canonical_json, jsonable
from regulations.models import (
    ClassificationResult,
    ContentVersion,
    ManualOverride,
    Organisation,
    Regime,
)
from regulations.models.classification import RiskTier
from regulations.services.content import content_version_model

COMPARED = ("applies", "roles", "outcome", "outcome_label", "risk_tier", "high_risk",
            "triggered_obligations", "rationale")  # fmt: skip


def version_for_regime(*, regime: Regime, on: dt.date) -> tuple[ContentVersion | None, str]:
    """The version in force on `on`; else the next pending one, so users see what is coming."""
    versions = regime.versions.all()
    in_force = (
        versions.filter(status=ContentVersion.Status.IN_FORCE)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=on))
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from", "-loaded_at")
        .first()
    )
    if in_force:
        return in_force, "in_force"
    upcoming = (
        versions.filter(
            Q(status=ContentVersion.Status.PENDING)
            | Q(status=ContentVersion.Status.IN_FORCE, effective_from__gt=on)
        )
        .order_by("effective_from", "-loaded_at")
        .first()
    )
    if upcoming:
        return upcoming, "pending"
    return None, ""


def evaluation_date(*, version: ContentVersion, on: dt.date) -> dt.date:
    """A pending version is evaluated as of its start date: 'what will apply when it takes effect'."""
    if version.effective_from and version.effective_from > on:
        return version.effective_from
    return on


def inputs_hash(*, facts: dict, org: dict) -> str:
    return hashlib.sha256(canonical_json({"facts": facts, "org": org}).encode()).hexdigest()


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def evaluation_fields(evaluation: Any) -> dict[str, Any]:
    """Engine output (pydantic or dataclass) as the JSON-safe columns we store."""
    data = _plain(evaluation)
    if not isinstance(data, dict):
        data = {name: getattr(evaluation, name) for name in COMPARED}
    tier = str(data.get("risk_tier") or RiskTier.NOT_APPLICABLE)
    return jsonable(
        {
            "applies": bool(data.get("applies")),
            "roles": list(data.get("roles") or []),
            "outcome": str(data.get("outcome") or ""),
            "outcome_label": str(data.get("outcome_label") or ""),
            "risk_tier": tier if tier in RiskTier.values else RiskTier.NOT_APPLICABLE,
            "high_risk": bool(data.get("high_risk")),
            "triggered_obligations": list(data.get("triggered_obligations") or []),
            "rationale": [_plain(row) for row in (data.get("rationale") or [])],
        }
    )


def latest_result(*, system, regime: Regime) -> ClassificationResult | None:
    return (
        ClassificationResult.objects.filter(system=system, regime=regime)
        .order_by("-computed_at", "-pk")
        .first()
    )


@transaction.atomic
def classification_run(*, system, version: ContentVersion | None = None, actor=None,
                       on: dt.date | None = None) -> list[ClassificationResult]:  # fmt: skip
    """Evaluate every regime (or one given version); a new row only when inputs, version or output changed."""
    from regulations import engine  # RC's pure engine

    today = on or timezone.localdate()
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
    for regime, cv in pairs:
        when = evaluation_date(version=cv, on=today)
        evaluation = engine.evaluate(
            facts=facts, org=org, version=content_version_model(cv), on=when
        )
        fields = evaluation_fields(evaluation)
        previous = latest_result(system=system, regime=regime)
        unchanged = (
            previous is not None
            and previous.inputs_hash == digest
            and previous.content_version_id == cv.pk
            and all(getattr(previous, name) == fields[name] for name in COMPARED)
        )
        if unchanged:
            results.append(previous)
            continue
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
    from regulations.services.deadlines import deadlines_sync_for_system

    deadlines_sync_for_system(system=system, results=results, actor=actor, on=today)
    return results


def result_changes(previous: ClassificationResult | None, current: ClassificationResult) -> dict:
    """What differs between two results, in the audit trail's {field: [old, new]} shape."""
    changes: dict[str, list] = {}
    if previous is None or previous.content_version_id != current.content_version_id:
        changes["content_version"] = [
            str(previous.content_version) if previous else None,
            str(current.content_version),
        ]
    for name in ("applies", "outcome_label", "risk_tier", "high_risk", "roles"):
        old = getattr(previous, name) if previous else None
        new = getattr(current, name)
        if old != new:
            changes[name] = [old, new]
    old_obl = set(previous.triggered_obligations) if previous else set()
    new_obl = set(current.triggered_obligations)
    if old_obl != new_obl:
        changes["obligations_added"] = [None, sorted(new_obl - old_obl)]
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
        old = before.get(row.get("rule_id"))
        if old is None:
            out.append({"rule_id": row.get("rule_id"), "before": None, "after": row.get("met")})
        elif old.get("met") != row.get("met"):
            out.append(
                {"rule_id": row.get("rule_id"), "before": old.get("met"), "after": row.get("met")}
            )
    return out


@transaction.atomic
def classification_override(*, actor, result: ClassificationResult, outcome_label: str,
                            risk_tier: str, high_risk: bool, justification: str) -> ManualOverride:  # fmt: skip
    """An officer's judgement is recorded beside the computed result, which stays as computed."""
    from django.core.exceptions import ValidationError

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
        audit_record(actor=actor, action="classification.override_replace", target=old,
                     changes={"withdrawn_at": [None, now.isoformat()]})  # fmt: skip
    override = ManualOverride(
        system=result.system, regime=result.regime, result=result,
        outcome_label=outcome_label.strip()[:300], risk_tier=risk_tier, high_risk=high_risk,
        justification=justification.strip(), created_by=actor,
    )  # fmt: skip
    override.full_clean()
    override.save()
    audit_record(
        actor=actor, action="classification.override", target=override,
        changes={
            "computed": [None, f"{result.outcome_label} ({result.risk_tier})"],
            "override": [None, f"{override.outcome_label} ({override.risk_tier})"],
            "justification": [None, override.justification],
            "content_version": [None, str(result.content_version)],
        },
    )  # fmt: skip
    return override


@transaction.atomic
def classification_override_withdraw(*, actor, override: ManualOverride) -> ManualOverride:
    """Withdrawing keeps the row; the computed outcome alone applies again."""
    if override.withdrawn_at is None:
        override.withdrawn_at, override.withdrawn_by = timezone.now(), actor
        override.save(update_fields=["withdrawn_at", "withdrawn_by"])
        audit_record(actor=actor, action="classification.override_withdraw", target=override,
                     changes={"withdrawn_at": [None, override.withdrawn_at.isoformat()]})  # fmt: skip
    return override
