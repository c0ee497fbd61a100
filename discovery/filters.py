"""One FilterSet per list, shared by the HTML pages and the API."""

import contextlib
import datetime as dt

import django_filters
from django.db.models import Q

from discovery.models import BlocklistEntry, DiscoveredApp, Finding, IngestRun


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


class BlocklistEntryFilter(django_filters.FilterSet):
    class Meta:
        model = BlocklistEntry
        fields = ["domain", "app_key"]


class DiscoveredAppFilter(django_filters.FilterSet):
    """Filters the per-app usage rows of discovered_app_rows(): aggregates summed in Python, so
    each filter narrows a list of dicts. A value that means nothing is ignored, never a 400.

    The queryset is the selector's row source: `since` decides what is summed, so the rows are
    built only once the form is read.
    """

    q = django_filters.CharFilter(method="filter_q", label="Name, vendor or host contains")
    category = django_filters.CharFilter(method="filter_equal")
    status = django_filters.CharFilter(method="filter_equal")
    known = django_filters.CharFilter(method="filter_known")
    since = django_filters.CharFilter(method="filter_since", label="Usage on or after (day)")
    order = django_filters.CharFilter(method="filter_order")

    ORDER_FIELDS = ("requests", "users", "name", "bytes_up", "last_seen", "first_seen")

    class Meta:
        model = DiscoveredApp
        fields: list[str] = []

    @property
    def qs(self) -> list[dict]:
        if not hasattr(self, "_qs"):
            self.errors  # noqa: B018 - validates the form, as FilterSet.qs does
            self._qs = self.filter_queryset(self.queryset)
        return self._qs

    def filter_queryset(self, source) -> list[dict]:
        data = self.form.cleaned_data
        rows = source.rows(since=self.since_day(data.get("since")))
        for name in ("q", "category", "status", "known"):
            rows = self.filters[name].filter(rows, data.get(name))
        return self.filter_order(rows, "order", data.get("order") or "")

    @staticmethod
    def since_day(value: str | None) -> dt.date | None:
        with contextlib.suppress(ValueError, TypeError):
            return dt.date.fromisoformat(value or "")
        return None

    def filter_since(self, rows: list[dict], name: str, value: str) -> list[dict]:
        return rows  # applied when the rows are summed (filter_queryset)

    def filter_q(self, rows: list[dict], name: str, value: str) -> list[dict]:
        q = value.strip().lower()
        if not q:
            return rows
        return [
            r for r in rows if q in r["name"].lower() or q in r["vendor"].lower() or q in r["host"]
        ]

    def filter_equal(self, rows: list[dict], name: str, value: str) -> list[dict]:
        return [r for r in rows if r[name] == value]

    def filter_known(self, rows: list[dict], name: str, value: str) -> list[dict]:
        if value not in ("yes", "no"):
            return rows
        return [r for r in rows if r["known"] == (value == "yes")]

    def filter_order(self, rows: list[dict], name: str, value: str) -> list[dict]:
        """Most requests first unless one of ORDER_FIELDS is asked for ('-' for descending)."""
        order = value or "-requests"
        reverse = order.startswith("-")
        field = order.lstrip("-")
        if field not in self.ORDER_FIELDS:
            field, reverse = "requests", True
        return sorted(rows, key=lambda r: (r[field] is None, r[field]), reverse=reverse)
