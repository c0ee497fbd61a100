"""Discovery's part of the work inbox: findings someone assigned to me, and budget alerts."""

from django.db.models import QuerySet
from django.urls import reverse

from core.inbox import InboxItem, selector_section
from discovery.models import Finding


def finding_list_assigned(*, user) -> QuerySet[Finding]:
    return Finding.objects.filter(assignee=user, state=Finding.State.ASSIGNED)


def budget_alert_list(*, user) -> QuerySet[Finding]:
    """Open budget alerts (80 % and 100 % of a team's or key's month), for those who triage."""
    if not user.has_perm("discovery.triage_finding"):
        return Finding.objects.none()
    return Finding.objects.filter(kind=Finding.Kind.BUDGET, state__in=Finding.OPEN_STATES)


def _item(f: Finding) -> InboxItem:
    return InboxItem(
        title=f.title,
        url=reverse("discovery:finding-detail", kwargs={"pk": f.pk}),
        detail=f"Last seen {f.last_seen:%Y-%m-%d}" if f.last_seen else "",
        flag=f.severity,
    )


def _latest_first(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    return findings.only("pk", "title", "severity", "last_seen").order_by("-last_seen", "-pk")


SECTIONS = [
    selector_section(
        key="findings-assigned",
        title="Findings assigned to me",
        rows=finding_list_assigned,
        listed=_latest_first,
        item=_item,
        empty="No discovery findings are assigned to you.",
        more_url="/discovery/findings/?state=assigned",
        order=40,
    ),
    selector_section(
        key="budget-alerts",
        title="Budget alerts",
        rows=budget_alert_list,
        listed=_latest_first,
        item=_item,
        empty="No team or key has reached 80 % of its monthly budget.",
        more_url="/discovery/findings/?kind=budget",
        order=41,
    ),
]
