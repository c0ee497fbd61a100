"""One FilterSet per list, shared by the HTML pages (list and calendar) and the API."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import QuerySet
from django.utils import timezone

from core.filtering import IdFilter
from regulations.dashboard import current_results
from regulations.models import ClassificationResult, Deadline, Regime

STATUSES = {
    "upcoming": "Upcoming",
    "due_30": "Due in 30 days",
    "overdue": "Overdue",
    "done": "Done",
}


class RegimeFilter(django_filters.FilterSet):
    code = django_filters.CharFilter()

    class Meta:
        model = Regime
        fields: list[str] = []


class ClassificationResultFilter(django_filters.FilterSet):
    system = IdFilter(field_name="system")
    regime = django_filters.CharFilter(field_name="regime__code")
    current = django_filters.CharFilter(method="filter_current")

    class Meta:
        model = ClassificationResult
        fields: list[str] = []

    def filter_current(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Only the latest result per system and regime; any value but 1 or true means all."""
        if value not in {"1", "true"}:
            return queryset
        return queryset.filter(pk__in=[r.pk for r in current_results()])


class DeadlineFilter(django_filters.FilterSet):
    """Status is relative to `today`; an unknown status means any status, as on the page."""

    regime = django_filters.CharFilter(field_name="regime_code")
    system = IdFilter(field_name="system", word="org")
    owner = IdFilter(field_name="owner", word="none")
    status = django_filters.CharFilter(method="filter_status")

    class Meta:
        model = Deadline
        fields: list[str] = []

    def __init__(self, *args, today: dt.date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        today = self.today
        if value == "done":
            return queryset.filter(completed_at__isnull=False)
        if value == "overdue":
            return queryset.filter(completed_at__isnull=True, due_date__lt=today)
        if value == "due_30":
            return queryset.filter(
                completed_at__isnull=True,
                due_date__gte=today,
                due_date__lte=today + dt.timedelta(days=30),
            )
        if value == "upcoming":
            return queryset.filter(
                completed_at__isnull=True, due_date__gt=today + dt.timedelta(days=30)
            )
        if value == "open":
            return queryset.filter(completed_at__isnull=True)
        return queryset
