"""One FilterSet per list, shared by the HTML pages and the API."""

import django_filters
from django.db.models import Q

from discovery.models import Finding, IngestRun


class FindingFilter(django_filters.FilterSet):
    """Open findings first by default: the queue is what still needs a decision."""

    state = django_filters.CharFilter(method="filter_state")
    kind = django_filters.ChoiceFilter(choices=Finding.Kind.choices)
    severity = django_filters.ChoiceFilter(choices=Finding.Severity.choices)
    q = django_filters.CharFilter(method="filter_q")
    app_key = django_filters.CharFilter()
    run = django_filters.NumberFilter(field_name="run", min_value=1, max_value=2**63 - 1)  # no 500

    class Meta:
        model = Finding
        fields = ["kind", "severity", "app_key", "run"]

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=Finding.OPEN_STATES)
        if value in Finding.State.values:
            return queryset.filter(state=value)
        return queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(app_key__icontains=value)
            | Q(host__icontains=value)
            | Q(principal__icontains=value)
        )


class IngestRunFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=IngestRun.Status.choices)

    class Meta:
        model = IngestRun
        fields = ["status", "format", "source"]
