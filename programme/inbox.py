"""The programme's part of the work inbox: requests to triage, and requests I was asked about."""

from django.db.models import QuerySet
from django.urls import reverse

from core.inbox import InboxItem, InboxSection
from programme.models import AIUseRequest


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
]
