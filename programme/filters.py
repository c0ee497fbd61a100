import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from programme.models import AIUseRequest, RightsRequest, Risk


class AIUseRequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(
        choices=AIUseRequest.Status.choices,
        empty_label="Any status",
        widget=forms.Select(attrs={"aria-label": "Status"}),
    )

    class Meta:
        model = AIUseRequest
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(tool_name__icontains=value) | Q(purpose__icontains=value) | Q(team__icontains=value)
        )


class RiskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(
        choices=Risk.Status.choices,
        empty_label="Any status",
        widget=forms.Select(attrs={"aria-label": "Status"}),
    )
    system = django_filters.NumberFilter(field_name="system_id", label="System id")
    scope = django_filters.ChoiceFilter(
        choices=[("system", "Per system"), ("organisation", "Organisation-wide")],
        method="by_scope",
        empty_label="Systems and organisation",
        widget=forms.Select(attrs={"aria-label": "Scope"}),
    )
    category = django_filters.CharFilter(field_name="category__code", label="Category code")

    class Meta:
        model = Risk
        fields = ["q", "status", "system", "scope", "category"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(system__name__icontains=value)
        )

    def by_scope(self, queryset, name, value):
        if value == "organisation":
            return queryset.filter(system__isnull=True)
        if value == "system":
            return queryset.filter(system__isnull=False)
        return queryset


class RightsRequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    regime = django_filters.CharFilter(field_name="rule__regime", label="Regime")
    state = django_filters.ChoiceFilter(
        choices=[
            ("open", "Open"),
            ("due", "Overdue or due within 7 days"),
            ("overdue", "Overdue"),
            ("answered", "Answered"),
        ],
        method="by_state",
        empty_label="Any state",
        widget=forms.Select(attrs={"aria-label": "State"}),
    )

    class Meta:
        model = RightsRequest
        fields = ["q", "regime", "state"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(reference__icontains=value) | Q(rule__title__icontains=value))
            if value
            else queryset
        )

    def by_state(self, queryset, name, value):
        today = timezone.localdate()
        if value == "open":
            return queryset.filter(responded_on__isnull=True)
        if value == "due":
            return queryset.filter(
                responded_on__isnull=True, due_on__lte=today + dt.timedelta(days=7)
            )
        if value == "overdue":
            return queryset.filter(responded_on__isnull=True, due_on__lt=today)
        if value == "answered":
            return queryset.filter(responded_on__isnull=False)
        return queryset
