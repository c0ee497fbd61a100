"""The programme's part of the work inbox: requests to triage, and requests I was asked about."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from core.inbox import InboxItem, selector_section
from programme.models import AIUseRequest, RightsRequest
from programme.rights import rights_due


def requests_to_triage(*, user) -> QuerySet[AIUseRequest]:
    if not user.has_perm("programme.triage_aiuserequest"):
        return AIUseRequest.objects.none()
    return AIUseRequest.objects.filter(status=AIUseRequest.Status.SUBMITTED)


def requests_asked_of_me(*, user) -> QuerySet[AIUseRequest]:
    return AIUseRequest.objects.filter(requester=user, status=AIUseRequest.Status.INVITED)


def _triage_item(r: AIUseRequest) -> InboxItem:
    return InboxItem(
        title=f"{r.tool_name} for {r.requester.get_username()}",
        url=reverse("programme:request-detail", args=[r.pk]),
        detail=r.purpose[:120],
    )


def _asked_item(r: AIUseRequest) -> InboxItem:
    return InboxItem(
        title=f"Tell us how you use {r.tool_name}",
        url=reverse("programme:request-detail", args=[r.pk]),
        detail=r.invitation[:160],
    )


def rights_to_answer(*, user) -> QuerySet[RightsRequest]:
    if not user.has_perm("programme.change_rightsrequest"):
        return RightsRequest.objects.none()
    return rights_due()


def _rights_item(r: RightsRequest) -> InboxItem:
    return InboxItem(
        title=f"{r.rule.title}: {r.reference}",
        url=reverse("programme:rights-detail", args=[r.pk]),
        detail=f"Due {r.due_on:%Y-%m-%d} (received {r.received_on:%Y-%m-%d}; {r.rule.citation})",
        due=r.due_on,
        flag="overdue" if r.due_on < timezone.localdate() else "due soon",
    )


SECTIONS = [
    selector_section(
        key="ai-requests-triage",
        title="AI-use requests to decide",
        rows=requests_to_triage,
        listed=lambda qs: qs.select_related("requester").order_by("submitted_at", "pk"),
        item=_triage_item,
        empty="No AI-use request is waiting for a decision.",
        more_url="/programme/requests/?status=submitted",
        order=15,
    ),
    selector_section(
        key="ai-requests-asked",
        title="AI use we asked you about",
        rows=requests_asked_of_me,
        listed=lambda qs: qs.order_by("-created_at", "-pk"),
        item=_asked_item,
        empty="Nobody asked you about your AI use.",
        more_url="/programme/requests/?status=invited",
        order=16,
    ),
    selector_section(
        key="rights-due",
        title="Rights requests overdue or due within 7 days",
        rows=rights_to_answer,
        listed=lambda qs: qs.select_related("rule").order_by("due_on", "pk"),
        item=_rights_item,
        empty="No rights request is overdue or due this week.",
        more_url="/programme/rights/?state=due",
        order=17,
    ),
]
