import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from programme.models import AIUseRequest, Control, RightsRequest, Risk, TrainingCompletion


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


class ControlFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    framework = django_filters.CharFilter(field_name="framework", label="Framework")
    obligation = django_filters.CharFilter(
        method="by_obligation", label="Obligation id (e.g. eu-14)"
    )

    class Meta:
        model = Control
        fields = ["q", "framework", "obligation"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(code__icontains=value) | Q(title__icontains=value))
            if value
            else queryset
        )

    def by_obligation(self, queryset, name, value):
        """JSON containment differs by database; the library is small, so filter the ids."""
        value = value.strip()
        if not value:
            return queryset
        ids = [c.pk for c in queryset if value in (c.obligations or [])]
        return queryset.filter(pk__in=ids)


class TrainingCompletionFilter(django_filters.FilterSet):
    person = django_filters.CharFilter(field_name="person", lookup_expr="iexact")
    team = django_filters.CharFilter(field_name="team", lookup_expr="iexact")
    module = django_filters.CharFilter(field_name="module__title", lookup_expr="iexact")
    due = django_filters.BooleanFilter(method="by_due", label="Expired or expiring within 30 days")

    class Meta:
        model = TrainingCompletion
        fields = ["person", "team", "module", "due"]

    def by_due(self, queryset, name, value):
        from programme.literacy import completions_expiring

        if value:
            return queryset.filter(pk__in=completions_expiring().values("pk"))
        return queryset
