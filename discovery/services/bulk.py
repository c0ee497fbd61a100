"""Triage of many findings at once, each through the single-finding service (and its audit entry)."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from core.htmx import error_text
from discovery.models import Finding
from discovery.services.triage import (
    finding_assign,
    finding_block,
    finding_dismiss,
    finding_sanction,
)

BULK_ACTIONS = {
    "sanction": "Sanction",
    "block": "Block",
    "dismiss": "Dismiss",
    "assign": "Assign",
}


@dataclass
class BulkTriageResult:
    done: list[int] = field(default_factory=list)
    # Closed by an earlier finding's decision in the same batch (one app, one decision).
    already_closed: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def finding_bulk_triage(
    *,
    findings: Iterable[Finding],
    actor,
    action: str,
    reason: str = "",
    assignee=None,
) -> BulkTriageResult:
    """One decision for many findings: each is its own transaction, so one that cannot take the
    decision (closed meanwhile, not about an app) is a counted skip with its reason, not a
    rollback of the others."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": "Choose sanction, block, dismiss or assign."})
    if action == "dismiss" and not (reason or "").strip():
        raise ValidationError({"reason": "Give a reason for dismissing these findings."})
    if action == "assign" and (assignee is None or not getattr(assignee, "is_active", False)):
        raise ValidationError({"assignee": "Choose an active user."})
    result = BulkTriageResult()
    for finding in findings:
        finding.refresh_from_db(fields=["state"])
        if finding.state not in Finding.OPEN_STATES:
            result.already_closed.append(finding.pk)
            continue
        try:
            if action == "sanction":
                finding_sanction(finding=finding, actor=actor, note=reason)
            elif action == "block":
                finding_block(finding=finding, actor=actor, reason=reason)
            elif action == "dismiss":
                finding_dismiss(finding=finding, actor=actor, reason=reason)
            else:
                finding_assign(finding=finding, actor=actor, assignee=assignee)
        except ValidationError as exc:
            result.skipped.append((finding.pk, error_text(exc)))
            continue
        result.done.append(finding.pk)
    return result
