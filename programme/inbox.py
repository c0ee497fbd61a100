"""The programme's part of the work inbox: requests to triage, and requests I was asked about."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from core.inbox import InboxItem, selector_section
from programme.literacy import completions_expiring
from programme.models import AIUseRequest, RightsRequest, TrainingCompletion
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


def training_to_refresh(*, user) -> QuerySet[TrainingCompletion]:
    if not user.has_perm("programme.add_trainingcompletion"):
        return TrainingCompletion.objects.none()
    return completions_expiring()


def my_training_due(*, user) -> QuerySet[TrainingCompletion]:
    """The user's own completions due again, matched on their user name or e-mail."""
    names = {n.strip().lower() for n in (user.get_username(), user.email) if n and n.strip()}
    return completions_expiring().filter(person__in=names)


def _expiry_flag(c: TrainingCompletion) -> str:
    return "expired" if c.expires_on < timezone.localdate() else "expires soon"


def _refresh_item(c: TrainingCompletion) -> InboxItem:
    return InboxItem(
        title=f"{c.person}: {c.module}",
        url=reverse("programme:literacy") + "#expiring",
        detail=f"Completed {c.completed_on:%Y-%m-%d}; valid until {c.expires_on:%Y-%m-%d}",
        due=c.expires_on,
        flag=_expiry_flag(c),
    )


def _my_training_item(c: TrainingCompletion) -> InboxItem:
    return InboxItem(
        title=f"Refresh your AI training: {c.module}",
        url=c.module.link or reverse("inbox"),
        detail=f"You completed it on {c.completed_on:%Y-%m-%d}; it counts until {c.expires_on:%Y-%m-%d}.",
        due=c.expires_on,
        flag=_expiry_flag(c),
    )


def _soonest_expiry_first(
    completions: QuerySet[TrainingCompletion],
) -> QuerySet[TrainingCompletion]:
    return completions.select_related("module").order_by("expires_on", "pk")


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
    selector_section(
        key="literacy-refresh",
        title="AI-literacy training expired or expiring within 30 days",
        rows=training_to_refresh,
        listed=_soonest_expiry_first,
        item=_refresh_item,
        empty="No AI-literacy completion expires in the next 30 days.",
        more_url="/programme/literacy/#expiring",
        order=18,
    ),
    selector_section(
        key="my-training",
        title="Your AI-literacy training due again",
        rows=my_training_due,
        listed=_soonest_expiry_first,
        item=_my_training_item,
        empty="Your AI-literacy training is up to date.",
        order=19,
    ),
]
