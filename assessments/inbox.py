"""Assessments' part of the work inbox: reviews waiting for me, assessments I must finish, and
vendor evidence still owed for checklists I run."""

from django.db.models import Q, QuerySet
from django.urls import reverse

from assessments.models import Assessment, ChecklistItemStatus
from core.inbox import InboxItem, InboxSection, selector_section

APPROVE = "assessments.approve_assessment"
OWED = (
    ChecklistItemStatus.Status.MISSING,
    ChecklistItemStatus.Status.REJECTED,
    ChecklistItemStatus.Status.EXPIRED,
)


def assessment_list_awaiting_review(*, user) -> QuerySet[Assessment]:
    """In review and submitted by someone else: nobody reviews their own (four eyes)."""
    if not user.has_perm(APPROVE):
        return Assessment.objects.none()
    return Assessment.objects.filter(state=Assessment.State.IN_REVIEW).exclude(submitted_by=user)


def assessment_list_to_complete(*, user) -> QuerySet[Assessment]:
    """Drafts and returned assessments I started or whose system I own."""
    return Assessment.objects.filter(
        Q(created_by=user) | Q(system__owner=user), state__in=Assessment.EDITABLE
    )


def checklist_item_list_owed(*, user) -> QuerySet[ChecklistItemStatus]:
    """Evidence a vendor still owes on checklists I created or for systems I own."""
    return ChecklistItemStatus.objects.filter(
        Q(checklist__created_by=user) | Q(checklist__system__owner=user), status__in=OWED
    )


def _assessment_section(*, rows, detail, **section) -> InboxSection:
    def item(a: Assessment) -> InboxItem:
        return InboxItem(
            title=str(a),
            url=reverse("assessments:assessment-detail", kwargs={"pk": a.pk}),
            detail=detail(a),
            flag="returned" if a.state == Assessment.State.RETURNED else "",
        )

    return selector_section(
        rows=rows,
        listed=lambda qs: qs.select_related("template", "system", "submitted_by").order_by(
            "-updated_at", "-pk"
        ),
        item=item,
        **section,
    )


def _review_detail(a: Assessment) -> str:
    who = a.submitted_by.get_username() if a.submitted_by else "someone"
    when = f" on {a.submitted_at:%Y-%m-%d}" if a.submitted_at else ""
    return f"Submitted by {who}{when}"


def _complete_detail(a: Assessment) -> str:
    if a.state == Assessment.State.RETURNED:
        return f"Returned: {a.return_reason[:140]}" if a.return_reason else "Returned for changes"
    return f"Draft, last changed {a.updated_at:%Y-%m-%d}"


def _owed_item(row: ChecklistItemStatus) -> InboxItem:
    return InboxItem(
        title=f"{row.item.title} — {row.checklist.vendor.name}",
        url=reverse("assessments:checklist-detail", kwargs={"pk": row.checklist_id})
        + f"#item-{row.pk}",
        detail=f"For {row.checklist.system.name}",
        flag=row.get_status_display().lower(),
    )


SECTIONS = [
    _assessment_section(
        key="assessments-to-review",
        title="Assessments awaiting my review",
        rows=assessment_list_awaiting_review,
        detail=_review_detail,
        empty="No assessment is waiting for your review.",
        order=10,
    ),
    _assessment_section(
        key="assessments-to-complete",
        title="Assessments I must complete",
        rows=assessment_list_to_complete,
        detail=_complete_detail,
        empty="No draft or returned assessment is waiting for you.",
        order=20,
    ),
    selector_section(
        key="evidence-owed",
        title="Evidence requested from my vendors",
        rows=checklist_item_list_owed,
        listed=lambda qs: qs.select_related(
            "checklist__vendor", "checklist__system", "item"
        ).order_by("checklist__vendor__name", "checklist_id", "item__position", "pk"),
        item=_owed_item,
        empty="Your vendors owe no evidence.",
        order=50,
    ),
]
