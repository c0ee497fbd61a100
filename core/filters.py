"""FilterSets for core's lists, shared by the page and its CSV export."""

import datetime as dt

import django_filters
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from core.models import AuditEntry

GOVERNED_APPS = ("core", "inventory", "discovery", "regulations", "assessments", "evidence")


def object_type_choices() -> list[tuple[str, str]]:
    """Every model of our apps, by the label the audit trail stores and the name people use."""
    choices = []
    for label in GOVERNED_APPS:
        if not apps.is_installed(label):
            continue
        for model in apps.get_app_config(label).get_models():
            if model is AuditEntry:
                continue
            name = str(model._meta.verbose_name)
            choices.append((model._meta.label_lower, name[:1].upper() + name[1:]))
    return sorted(choices, key=lambda c: c[1].lower())


def actor_choices() -> list[tuple[str, str]]:
    usernames = get_user_model().objects.order_by("username").values_list("username", flat=True)
    return [(u, u) for u in usernames] + [("system", "system (background work)")]


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


class AuditEntryFilter(django_filters.FilterSet):
    actor = django_filters.ChoiceFilter(
        field_name="actor_label", choices=actor_choices, empty_label="Anyone", label="Actor"
    )
    action = django_filters.CharFilter(
        field_name="action",
        lookup_expr="startswith",
        label="Action starts with",
        widget=forms.TextInput(attrs={"list": "audit-actions", "placeholder": "e.g. system."}),
    )
    object_type = django_filters.ChoiceFilter(
        field_name="target_type",
        choices=object_type_choices,
        empty_label="Any object",
        label="Object type",
    )
    object_id = django_filters.CharFilter(field_name="target_id", label="Object id")
    object = django_filters.CharFilter(
        field_name="target_repr", lookup_expr="icontains", label="Object name contains"
    )
    date_from = django_filters.DateFilter(
        method="filter_from", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        method="filter_to", label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def filter_from(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(created_at__gte=_day_start(value))

    def filter_to(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(created_at__lt=_day_start(value + dt.timedelta(days=1)))
