"""FilterSets for OAuth grants, model usage and budgets, shared by the pages and the API."""

import django_filters

from discovery.models import ModelUsageDay, OAuthGrant, UsageBudget


class OAuthGrantFilter(django_filters.FilterSet):
    app_key = django_filters.CharFilter()
    source = django_filters.CharFilter()
    client_id = django_filters.CharFilter()
    user = django_filters.CharFilter(field_name="user", lookup_expr="iexact")
    active = django_filters.BooleanFilter()
    q = django_filters.CharFilter(field_name="app_name", lookup_expr="icontains")

    class Meta:
        model = OAuthGrant
        fields = ["app_key", "source", "client_id", "user", "active"]


class ModelUsageDayFilter(django_filters.FilterSet):
    app_key = django_filters.CharFilter()
    source = django_filters.CharFilter()
    team = django_filters.CharFilter()
    key_alias = django_filters.CharFilter()
    model = django_filters.CharFilter()
    region = django_filters.CharFilter()
    system = django_filters.NumberFilter(field_name="system", min_value=1, max_value=2**63 - 1)
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = ModelUsageDay
        fields = ["app_key", "source", "team", "key_alias", "model", "region", "system"]


class UsageBudgetFilter(django_filters.FilterSet):
    scope = django_filters.ChoiceFilter(choices=UsageBudget.Scope.choices)
    origin = django_filters.ChoiceFilter(choices=UsageBudget.Origin.choices)
    name = django_filters.CharFilter()

    class Meta:
        model = UsageBudget
        fields = ["scope", "origin", "name"]
