"""Who is e-mailed when an assessment moves, and what they read."""

from django.urls import reverse

from assessments.models import Assessment
from core.models import NotificationKind
from core.notifications import notify, users_with_perm

APPROVE_PERM = "assessments.approve_assessment"


def _url(assessment: Assessment) -> str:
    return reverse("assessments:assessment-detail", kwargs={"pk": assessment.pk})


def _authors(assessment: Assessment) -> list:
    return [assessment.submitted_by, assessment.created_by, assessment.system.owner]


def assessment_submitted_notify(*, assessment: Assessment, actor) -> int:
    """Every reviewer except the submitter (who may not approve their own)."""
    return notify(
        users=users_with_perm(APPROVE_PERM),
        exclude=actor,
        kind=NotificationKind.SUBMITTED,
        subject=f"Review requested: {assessment}",
        body=f"{actor.get_username()} submitted “{assessment}” for review.",
        url=_url(assessment),
    )


def _notify_authors(assessment: Assessment, actor, kind, heading: str, verb: str, more="") -> int:
    """Whoever submitted or started the assessment and the system's owner, except the actor."""
    return notify(
        users=_authors(assessment),
        exclude=actor,
        kind=kind,
        subject=f"{heading}: {assessment}",
        body=f"{actor.get_username()} {verb} “{assessment}”.{more}",
        url=_url(assessment),
    )


def assessment_returned_notify(*, assessment: Assessment, actor) -> int:
    reason = f"\n\nReason: {assessment.return_reason}"
    kind = NotificationKind.RETURNED
    return _notify_authors(assessment, actor, kind, "Returned for changes", "returned", reason)


def assessment_approved_notify(*, assessment: Assessment, actor) -> int:
    return _notify_authors(assessment, actor, NotificationKind.APPROVED, "Approved", "approved")


def evidence_expiring_notify(*, row, evidence) -> int:
    """Whoever runs the checklist, and the uploader, learn once that a document will lapse."""
    checklist = row.checklist
    return notify(
        users=[checklist.created_by, evidence.uploaded_by, checklist.system.owner],
        kind=NotificationKind.EVIDENCE_EXPIRING,
        subject=f"Evidence expires {evidence.expiry_date}: {row.item.title or row.item.key}",
        body=(
            f"{evidence.name} v{evidence.version} from {checklist.vendor} for {checklist.system} "
            f"expires on {evidence.expiry_date}. Ask the vendor for a renewed document."
        ),
        url=reverse("assessments:checklist-detail", kwargs={"pk": checklist.pk})
        + f"#item-{row.pk}",
    )
