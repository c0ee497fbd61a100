"""Deadlines: generated from triggered obligations and content dates, completed with evidence, audited."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import audit_record, diff, snapshot
from core.extensions import app_hooks
from regulations import schedule
from regulations.models import (
    ClassificationResult,
    Deadline,
    DeadlineSpec,
    Obligation,
    SubstantialModification,
)
from regulations.schema import parse_period
from regulations.selectors import classification_current

log = logging.getLogger(__name__)
AUTO_SOURCES = {"content_deadline", "obligation"}
_AUDITED = ["title", "due_date", "kind", "system", "regime_code", "obligation_key",
            "source_type", "source_id", "owner", "completed_at", "completed_by",
            "evidence_url", "completion_note", "cancelled_at", "cancel_reason"]  # fmt: skip


def _save(deadline: Deadline, *, actor, action: str, before) -> Deadline:
    deadline.full_clean()
    deadline.save()
    changes = diff(before, snapshot(deadline, _AUDITED))
    audit_record(actor=actor, action=action, target=deadline, changes=changes)
    return deadline


def _cancel(deadline: Deadline, *, reason: str, actor) -> None:
    deadline.cancelled_at = timezone.now()
    deadline.cancel_reason = reason
    deadline.save(update_fields=["cancelled_at", "cancel_reason"])
    audit_record(
        actor=actor,
        action="deadline.cancel",
        target=deadline,
        changes={"cancel_reason": [None, deadline.cancel_reason]},
    )


@transaction.atomic
def deadline_create(
    *,
    actor,
    title: str,
    due_date: dt.date,
    kind: str,
    system=None,
    regime_code: str = "",
    obligation_key: str = "",
    source_type: str = "",
    source_id: str = "",
    notes: str = "",
    citation: str = "",
    recurrence: str = "",
    owner=None,
) -> Deadline:
    """Any app (evidence expiry, assessments) adds dated duties here so they share reminders and ICS."""
    deadline = Deadline(
        title=title[:300],
        due_date=due_date,
        kind=kind,
        system=system,
        regime_code=regime_code,
        obligation_key=obligation_key,
        source_type=source_type,
        source_id=source_id,
        notes=notes,
        citation=citation[:300],
        recurrence=recurrence,
        owner=owner if owner is not None else getattr(system, "owner", None),
    )
    return _save(deadline, actor=actor, action="deadline.create", before=None)


def _ensure(
    *,
    actor,
    system,
    regime_code: str,
    obligation_key: str,
    source_type: str,
    source_id: str,
    due_date: dt.date,
    **fields: Any,
) -> Deadline | None:
    """Idempotent: one live instance per (system, source, due date)."""
    existing = Deadline.objects.filter(
        system=system,
        regime_code=regime_code,
        source_type=source_type,
        source_id=source_id,
        due_date=due_date,
        cancelled_at__isnull=True,
    ).first()
    if existing:
        return None
    return deadline_create(
        actor=actor,
        system=system,
        regime_code=regime_code,
        obligation_key=obligation_key,
        source_type=source_type,
        source_id=source_id,
        due_date=due_date,
        **fields,
    )


def last_approval(*, system) -> dt.date | None:
    """The system's latest approved assessment (declared by assessments), anchor of annual reviews."""
    found = [at for hook in app_hooks("last_approval") if (at := hook.target(system=system))]
    return timezone.localdate(max(found)) if found else None


def _cadences(obligation: Obligation) -> list[dict]:
    cadence = (obligation.data or {}).get("cadence") or []
    return [c for c in cadence if isinstance(c, dict)]


def _period(cadence: dict) -> str | None:
    """'every:P1Y' for annual and periodic cadences (the schedule module reads it)."""
    if cadence.get("kind") == "annual":
        return "every:P1Y"
    due = str(cadence.get("due") or "")
    if cadence.get("kind") == "periodic" and due.startswith("every:"):
        return due.split(" from ", 1)[0]
    return None


DEFAULT_REVIEW = (
    "every:P1Y"  # house default when no obligation calling for the template has a cadence
)


def review_period(template) -> tuple[Obligation | None, str, bool]:
    """(obligation, 'every:P…', from the content?) for a template: the structured cadence of an
    obligation that calls for it (a periodic one first), never a parse of display text."""
    obligations = list(
        template.content_version.obligations.filter(assessment_template=template.key)
    )
    for obligation in obligations:
        for cadence in _cadences(obligation):
            period = _period(cadence)
            if period:
                return obligation, period, True
    return (obligations[0] if obligations else None), DEFAULT_REVIEW, False


@transaction.atomic
def reassessment_schedule(
    *,
    actor,
    system,
    template,
    approved_on: dt.date,
    source_type: str,
    source_id: str,
    note: str = "",
) -> Deadline:
    """The one place a reassessment is scheduled: approval date plus the content's interval
    (every:P3Y is three years), recurring on completion."""
    obligation, period, from_content = review_period(template)
    due = approved_on + parse_period(period.removeprefix("every:").split(" from ", 1)[0])
    origin = f"cadence {period} of {obligation.key}" if from_content else f"default {period}"
    return deadline_create(
        actor=actor,
        title=f"Reassess: {template.title} · {system.name}",
        due_date=due,
        kind=Deadline.Kind.REASSESSMENT,
        system=system,
        regime_code=template.content_version.regime.code,
        obligation_key=obligation.key if obligation else "",
        source_type=source_type,
        source_id=source_id,
        citation=obligation.citation if obligation else "",
        recurrence=period,
        notes=f"{note} ({origin}).".strip(),
    )


def obligation_start(obligation: Obligation, result: ClassificationResult) -> dt.date | None:
    """When the duty starts for this system, as the engine worked it out (overrides included)."""
    for item in (result.details or {}).get("obligations") or []:
        if item.get("id") == obligation.key:
            return schedule.to_date(item.get("effective_from"))
    return schedule.to_date((obligation.data or {}).get("effective_from")) or (
        result.content_version.effective_from
    )


ORGANISATION = "organisation"
ORG_COPY_REASON = "Owed once by the organisation: tracked as one organisation-wide deadline."


def is_organisation_scope(item) -> bool:
    """A deadline spec or obligation the organisation owes once (content `scope: organisation`)."""
    return (getattr(item, "data", None) or {}).get("scope") == ORGANISATION


def organisation_source_id(spec) -> str:
    """Stable across content versions, so a new revision never adds a second copy of the date."""
    return "org:" + spec.key.rsplit(".deadline.", 1)[-1]


def deadlines_sync_for_system(
    *, system, results: list[ClassificationResult], actor=None, on: dt.date | None = None
) -> None:
    """Create the deadlines the current results trigger; cancel auto ones no longer triggered.

    A spec the organisation owes once becomes one organisation-wide deadline (no system), however
    many systems trigger it; only what a system itself triggers is the system's deadline.
    """
    today = on or timezone.localdate()
    for result in results:
        cv, code = result.content_version, result.regime.code
        triggered = set(result.triggered_obligations) if result.applies else set()
        applicable_specs = set((result.details or {}).get("deadlines") or [])
        linked_by_spec: set[str] = set()
        for spec in cv.deadline_specs.all():
            linked = set(spec.obligations)
            organisation = is_organisation_scope(spec) or not linked
            if not organisation:
                linked_by_spec |= linked
            if not result.applies or spec.key not in applicable_specs:
                continue
            target = None if organisation else system
            ob_key = sorted(linked & triggered)[0] if linked & triggered else ""
            source_id = organisation_source_id(spec) if organisation else f"{cv.version}:{spec.key}"
            common = {
                "actor": actor,
                "system": target,
                "regime_code": code,
                "obligation_key": ob_key,
                "source_type": "content_deadline",
                "source_id": source_id,
                "title": spec.title or spec.key,
                "citation": spec.citation,
            }
            if (
                organisation
                and Deadline.objects.filter(
                    system=None,
                    source_type="content_deadline",
                    source_id=f"{cv.version}:{spec.key}",
                    cancelled_at__isnull=True,
                ).exists()
            ):
                continue  # an organisation row made under the version-keyed id still stands
            if spec.date:
                _ensure(due_date=spec.date, kind=Deadline.Kind.STATUTORY, **common)
                continue
            open_exists = Deadline.objects.filter(
                system=target,
                source_type="content_deadline",
                source_id=source_id,
                completed_at__isnull=True,
                cancelled_at__isnull=True,
            ).exists()
            due = (
                schedule.next_occurrence(
                    spec.rrule, anchor=today, after=today - dt.timedelta(days=1)
                )
                if spec.rrule
                else None
            )
            if due and not open_exists:
                _ensure(due_date=due, kind=Deadline.Kind.RECURRING, recurrence=spec.rrule, **common)
        obligations = {o.key: o for o in cv.obligations.filter(key__in=triggered)}
        # Templates whose first assessment is already due through a one-off duty: their review
        # cycle starts when that assessment is approved, not before it exists.
        first_due = {
            o.assessment_template
            for o in obligations.values()
            if o.assessment_template
            and any(c.get("kind") in {"one_off", "before_deployment"} for c in _cadences(o))
        }
        for key in sorted(triggered):
            if key in obligations and not is_organisation_scope(obligations[key]):
                _obligation_deadlines(
                    system=system,
                    result=result,
                    obligation=obligations[key],
                    actor=actor,
                    has_spec=key in linked_by_spec,
                    first_due=first_due,
                )
        _cancel_untriggered(system=system, regime_code=code, triggered=triggered, actor=actor)
    deadlines_retire_organisation_copies(system=system, actor=actor)


def deadlines_retire_organisation_copies(*, system, actor=None) -> int:
    """Cancel (audited) the open per-system copies of dates the organisation owes once, which
    earlier syncs made one per system; the organisation-wide deadline replaces them."""
    spec_sources = [
        f"{version}:{key}"
        for version, key in DeadlineSpec.objects.filter(data__scope=ORGANISATION).values_list(
            "content_version__version", "key"
        )
    ]
    org_obligations = list(
        Obligation.objects.filter(data__scope=ORGANISATION).values_list("key", flat=True)
    )
    copies = Deadline.objects.filter(
        system=system, completed_at__isnull=True, cancelled_at__isnull=True
    ).filter(
        Q(source_type="content_deadline", source_id__in=spec_sources)
        | Q(source_type="obligation", obligation_key__in=org_obligations)
    )
    count = 0
    for deadline in copies.select_for_update():
        _cancel(deadline, reason=ORG_COPY_REASON, actor=actor)
        count += 1
    return count


def _obligation_deadlines(
    *,
    system,
    result: ClassificationResult,
    obligation: Obligation,
    actor,
    has_spec: bool,
    first_due: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Annual/periodic duties recur from the last approval; one-off duties are due when they start."""
    code, cv = result.regime.code, result.content_version
    start = obligation_start(obligation, result)
    common = {
        "actor": actor,
        "system": system,
        "regime_code": code,
        "obligation_key": obligation.key,
        "source_type": "obligation",
        "citation": obligation.citation,
    }
    for cadence in _cadences(obligation):
        kind = cadence.get("kind")
        period = _period(cadence)
        if period:
            # Any open reassessment of this duty counts, including one the assessments app
            # scheduled on approval, so the two never double up.
            if Deadline.objects.filter(
                system=system,
                regime_code=code,
                obligation_key=obligation.key,
                kind=Deadline.Kind.REASSESSMENT,
                completed_at__isnull=True,
                cancelled_at__isnull=True,
            ).exists():
                continue
            approved = last_approval(system=system)
            if not approved and obligation.assessment_template in first_due:
                continue  # reviewed every N years once the first assessment is approved
            due = (
                schedule.next_occurrence(period, anchor=approved, after=approved)
                if approved
                else start
            )
            if due is None:
                continue
            _ensure(
                **common,
                source_id=f"{cv.version}:{obligation.key}",
                due_date=due,
                title=f"{obligation.title} (recurring)",
                kind=Deadline.Kind.REASSESSMENT,
                recurrence=period,
            )
        elif kind in {"one_off", "before_deployment"} and start and not has_spec:
            _ensure(
                **common,
                source_id=f"{cv.version}:{obligation.key}:start",
                due_date=start,
                title=obligation.title,
                kind=Deadline.Kind.STATUTORY,
                notes=f"Cadence: {kind.replace('_', ' ')}; the duty applies from this date.",
            )


UNTRIGGERED_REASON = "Obligation no longer triggered by the current classification."


def _cancel_untriggered(*, system, regime_code: str, triggered: set[str], actor) -> None:
    stale = Deadline.objects.filter(
        system=system,
        regime_code=regime_code,
        source_type__in=AUTO_SOURCES,
        completed_at__isnull=True,
        cancelled_at__isnull=True,
    ).exclude(obligation_key__in=triggered)
    for deadline in stale.select_for_update():
        _cancel(deadline, reason=UNTRIGGERED_REASON, actor=actor)


@transaction.atomic
def deadline_complete(
    *, actor, deadline: Deadline, evidence_url: str = "", note: str = ""
) -> Deadline:
    """Done means someone says so with evidence; a recurring duty then gets its next instance."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.completed_at is not None:
        raise ValidationError("This deadline is already done.")
    if deadline.cancelled_at is not None:
        raise ValidationError("This deadline was cancelled.")
    before = snapshot(deadline, _AUDITED)
    deadline.completed_at, deadline.completed_by = timezone.now(), actor
    deadline.evidence_url, deadline.completion_note = evidence_url.strip(), note.strip()
    _save(deadline, actor=actor, action="deadline.complete", before=before)
    if deadline.recurrence:
        done_on = timezone.localdate(deadline.completed_at)
        anchor = done_on if deadline.kind == Deadline.Kind.REASSESSMENT else deadline.due_date
        nxt = schedule.next_occurrence(
            deadline.recurrence, anchor=anchor, after=max(done_on, deadline.due_date)
        )
        if nxt:
            deadline_create(
                actor=actor,
                title=deadline.title,
                due_date=nxt,
                kind=deadline.kind,
                system=deadline.system,
                regime_code=deadline.regime_code,
                obligation_key=deadline.obligation_key,
                source_type=deadline.source_type,
                source_id=deadline.source_id,
                citation=deadline.citation,
                recurrence=deadline.recurrence,
                owner=deadline.owner,
                notes=f"Next instance after completion on {done_on.isoformat()}.",
            )
    return deadline


@transaction.atomic
def system_record_substantial_modification(
    *, actor, system, description: str, on: dt.date
) -> SubstantialModification:
    """Starts every 'within N days of a substantial modification' clock the system's duties carry."""
    if not (description or "").strip():
        raise ValidationError({"description": "Describe the modification."})
    mod = SubstantialModification(
        system=system, description=description.strip(), on=on, recorded_by=actor
    )
    mod.full_clean()
    mod.save()
    audit_record(
        actor=actor,
        action="system.substantial_modification",
        target=mod,
        changes={
            "system": [None, str(system)],
            "on": [None, on.isoformat()],
            "description": [None, mod.description],
        },
    )
    for code, result in classification_current(system).items():
        if not result.applies:
            continue
        obligations = result.content_version.obligations.filter(
            key__in=result.triggered_obligations
        )
        for obligation in obligations:
            for cadence in _cadences(obligation):
                if cadence.get("kind") != "within_days_of_substantial_modification":
                    continue
                days = int(cadence.get("days") or 0)
                _ensure(
                    actor=actor,
                    system=system,
                    regime_code=code,
                    obligation_key=obligation.key,
                    source_type="modification",
                    source_id=str(mod.pk),
                    due_date=schedule.due_after_event(on, amount=days, unit="d"),
                    title=f"{obligation.title} (within {days} days of the modification on {on.isoformat()})",
                    kind=Deadline.Kind.EVENT,
                    citation=obligation.citation,
                )
    return mod
