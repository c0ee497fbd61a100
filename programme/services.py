"""Writes of the governance programme: atomic, validated, audited; e-mail after the commit."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record, diff, snapshot
from core.models import NotificationKind
from core.notifications import notify
from discovery.models import Finding
from inventory import vocab
from inventory.models import AISystem
from inventory.services import ai_system_create
from programme.models import AIUseRequest
from programme.selectors import catalog_app

REQUEST_FIELDS = [
    "tool_name",
    "catalog_key",
    "vendor_name",
    "purpose",
    "data_description",
    "data_categories",
    "affected_people",
    "team",
    "jurisdictions",
    "domains",
    "decision_role",
]
_AUDITED = [*REQUEST_FIELDS, "requester", "status", "conditions", "reason", "system", "finding"]


def _set(instance: AIUseRequest, data: Mapping[str, Any]) -> None:
    unknown = sorted(set(data) - set(REQUEST_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Unknown field."))
    for name, value in data.items():
        setattr(instance, name, value if value is not None else "")


def _audit(actor, request: AIUseRequest, action: str, before, fields=_AUDITED) -> None:
    changes = diff(before, snapshot(request, fields))
    audit_record(actor=actor, action=action, target=request, changes=changes)


def _submit(*, actor, request: AIUseRequest, data: Mapping[str, Any], before) -> AIUseRequest:
    """The requester's answers set, validated, saved and audited as a submission."""
    _set(request, data)
    request.full_clean()
    request.save()
    _audit(actor, request, "ai_request.submit", before)
    return request


@transaction.atomic
def ai_use_request_submit(*, actor, data: Mapping[str, Any]) -> AIUseRequest:
    """Any member of staff asks to use an AI tool; the request is theirs."""
    if not (data.get("tool_name") or "").strip():
        raise ValidationError({"tool_name": "Name the AI tool."})
    request = AIUseRequest(requester=actor, created_by=actor, submitted_at=timezone.now())
    return _submit(actor=actor, request=request, data=data, before=None)


@transaction.atomic
def ai_use_request_complete(
    *, actor, request: AIUseRequest, data: Mapping[str, Any]
) -> AIUseRequest:
    """The person an officer asked fills the request in; only they may, and only once."""
    request = AIUseRequest.objects.select_for_update().get(pk=request.pk)
    if request.requester_id != actor.pk:
        raise PermissionDenied
    if request.status != AIUseRequest.Status.INVITED:
        raise ValidationError("This request was already submitted.")
    before = snapshot(request, _AUDITED)
    request.status = AIUseRequest.Status.SUBMITTED
    request.submitted_at = timezone.now()
    return _submit(actor=actor, request=request, data=data, before=before)


def user_for_identity(identity: str):
    """The one active user whose username or e-mail is the identity seen in the logs."""
    identity = (identity or "").strip()
    if not identity:
        return None
    found = list(
        get_user_model()
        .objects.filter(Q(username__iexact=identity) | Q(email__iexact=identity), is_active=True)
        .distinct()[:2]
    )
    return found[0] if len(found) == 1 else None


def finding_identities(finding: Finding) -> list[tuple[str, int | None]]:
    """Who the logs show using the finding's app, busiest first, with their request counts."""
    seen = [
        (str(u.get("identity", "")), u.get("requests"))
        for u in (finding.evidence or {}).get("top_users", [])
        if u.get("identity")
    ]
    if finding.principal and finding.principal not in {i for i, _ in seen}:
        seen.insert(0, (finding.principal, None))
    return seen


@transaction.atomic
def ai_use_request_invite(*, actor, finding: Finding, identity: str = "") -> AIUseRequest:
    """Turn a discovery finding into a request addressed to the person seen using the app."""
    seen = finding_identities(finding)
    identity = (identity or (seen[0][0] if seen else "")).strip()
    person = user_for_identity(identity)
    if person is None:
        raise ValidationError(
            f"No single active user has the user name or e-mail {identity[:80]!r}; "
            "name the person seen using the app."
            if identity
            else "This finding names nobody; name the person seen using the app."
        )
    app = catalog_app(key=finding.app_key)
    name = app.name if app else (finding.app_key or finding.host or finding.title)
    count = dict(seen).get(identity)
    used = (
        f"You used {name} {count} time{'s' if count != 1 else ''}" if count else f"You used {name}"
    )
    invitation = (
        f"{used} (seen {finding.first_seen:%Y-%m-%d} to {finding.last_seen:%Y-%m-%d}); tell us how."
    )
    request = AIUseRequest.objects.create(
        requester=person,
        created_by=actor,
        tool_name=str(name)[:200],
        catalog_key=finding.app_key,
        vendor_name=app.vendor if app else "",
        status=AIUseRequest.Status.INVITED,
        finding=finding,
        invitation=invitation,
    )
    _audit(actor, request, "ai_request.invite", None, [*_AUDITED, "invitation"])
    notify(
        users=[person],
        kind=NotificationKind.REQUEST_DECIDED,
        subject=f"Tell us how you use {name}",
        body=invitation,
        url=reverse("programme:request-detail", args=[request.pk]),
    )
    return request


def _system_data(request: AIUseRequest) -> dict[str, Any]:
    return {
        "name": request.tool_name,
        "description": request.purpose,
        "owner": request.requester,
        "team": request.team,
        "model_type": vocab.ModelType.GENERATIVE_APP,
        "lifecycle": AISystem.Lifecycle.PLANNED,
        "sanction_status": AISystem.SanctionStatus.SANCTIONED,
        "origin": AISystem.Origin.DISCOVERED if request.finding_id else AISystem.Origin.DECLARED,
        "provenance": f"AI-use request #{request.pk} by {request.requester.get_username()}",
        "jurisdictions": list(request.jurisdictions),
        "domains": list(request.domains),
        "decision_role": request.decision_role or vocab.DecisionRole.NONE,
        "data_categories": list(request.data_categories),
        "interacts_with_persons": bool(request.affected_people.strip()),
    }


@transaction.atomic
def ai_use_request_decide(
    *,
    actor,
    request: AIUseRequest,
    decision: str,
    conditions: str = "",
    reason: str = "",
    system: AISystem | None = None,
) -> AIUseRequest:
    """Approve (create or link an inventory system, which then classifies), approve with
    conditions, or reject with a reason; the requester is told."""
    request = AIUseRequest.objects.select_for_update().get(pk=request.pk)
    Status = AIUseRequest.Status
    if request.status != Status.SUBMITTED:
        raise ValidationError(
            f"Only a submitted request can be decided; this one is {request.get_status_display().lower()}."
        )
    if decision not in (Status.APPROVED, Status.APPROVED_WITH_CONDITIONS, Status.REJECTED):
        raise ValidationError({"decision": "Choose approve, approve with conditions or reject."})
    conditions, reason = conditions.strip(), reason.strip()
    if decision == Status.APPROVED_WITH_CONDITIONS and not conditions:
        raise ValidationError({"conditions": "State the conditions of the approval."})
    if decision == Status.REJECTED and not reason:
        raise ValidationError({"reason": "Give the requester a reason."})
    before = snapshot(request, _AUDITED)
    if decision != Status.REJECTED:
        request.system = system or ai_system_create(actor=actor, data=_system_data(request))
    request.status = decision
    request.conditions = conditions if decision == Status.APPROVED_WITH_CONDITIONS else ""
    request.reason = reason
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save()
    _audit(actor, request, "ai_request.decide", before)
    label = request.get_status_display().lower()
    body = f"Your request to use {request.tool_name} was {label}."
    if request.conditions:
        body += f"\n\nConditions: {request.conditions}"
    if request.reason:
        body += f"\n\nReason: {request.reason}"
    notify(
        users=[request.requester],
        kind=NotificationKind.REQUEST_DECIDED,
        subject=f"AI-use request {label}: {request.tool_name}",
        body=body,
        url=reverse("programme:request-detail", args=[request.pk]),
        exclude=actor,
    )
    return request
