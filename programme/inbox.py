"""The programme's part of the work inbox: requests to triage, and requests I was asked about."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from core.inbox import InboxItem, InboxSection
from programme.models import AIUseRequest, RightsRequest
from programme.rights import rights_due


def requests_to_triage(*, user) -> QuerySet[AIUseRequest]:
    if not user.has_perm("programme.triage_aiuserequest"):
        return AIUseRequest.objects.none()
    return AIUseRequest.objects.filter(status=AIUseRequest.Status.SUBMITTED)


def requests_asked_of_me(*, user) -> QuerySet[AIUseRequest]:
    return AIUseRequest.objects.filter(requester=user, status=AIUseRequest.Status.INVITED)


def _triage_items(user, limit: int) -> list[InboxItem]:
    rows = requests_to_triage(user=user).select_related("requester").order_by("submitted_at", "pk")
    return [
        InboxItem(
            title=f"{r.tool_name} for {r.requester.get_username()}",
            url=reverse("programme:request-detail", args=[r.pk]),
            detail=r.purpose[:120],
        )
        for r in rows[:limit]
    ]


def _asked_items(user, limit: int) -> list[InboxItem]:
    rows = requests_asked_of_me(user=user).order_by("-created_at", "-pk")
    return [
        InboxItem(
            title=f"Tell us how you use {r.tool_name}",
            url=reverse("programme:request-detail", args=[r.pk]),
            detail=r.invitation[:160],
        )
        for r in rows[:limit]
    ]


def rights_to_answer(*, user) -> QuerySet[RightsRequest]:
    if not user.has_perm("programme.change_rightsrequest"):
        return RightsRequest.objects.none()
    return rights_due()


def _rights_items(user, limit: int) -> list[InboxItem]:
    today = timezone.localdate()
    rows = rights_to_answer(user=user).select_related("rule").order_by("due_on", "pk")[:limit]
    return [
        InboxItem(
            title=f"{r.rule.title}: {r.reference}",
            url=reverse("programme:rights-detail", args=[r.pk]),
            detail=f"Due {r.due_on:%Y-%m-%d} (received {r.received_on:%Y-%m-%d}; {r.rule.citation})",
            due=r.due_on,
            flag="overdue" if r.due_on < today else "due soon",
        )
        for r in rows
    ]


SECTIONS = [
    InboxSection(
        key="ai-requests-triage",
        title="AI-use requests to decide",
        count=lambda user: requests_to_triage(user=user).count(),
        items=_triage_items,
        empty="No AI-use request is waiting for a decision.",
        more_url="/programme/requests/?status=submitted",
        order=15,
    ),
    InboxSection(
        key="ai-requests-asked",
        title="AI use we asked you about",
        count=lambda user: requests_asked_of_me(user=user).count(),
        items=_asked_items,
        empty="Nobody asked you about your AI use.",
        more_url="/programme/requests/?status=invited",
        order=16,
    ),
    InboxSection(
        key="rights-due",
        title="Rights requests overdue or due within 7 days",
        count=lambda user: rights_to_answer(user=user).count(),
        items=_rights_items,
        empty="No rights request is overdue or due this week.",
        more_url="/programme/rights/?state=due",
        order=17,
    ),
]
