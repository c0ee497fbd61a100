"""Read API for OAuth grants, gateway model usage and budgets, filtered like the pages."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from discovery.filters_usage import ModelUsageDayFilter, OAuthGrantFilter, UsageBudgetFilter
from discovery.models import ModelUsageDay, OAuthGrant, UsageBudget
from discovery.selectors_usage import (
    budget_daily,
    model_usage_list,
    oauth_grant_list,
    usage_budget_list,
)


class OAuthGrantSerializer(serializers.ModelSerializer):
    class Meta:
        model = OAuthGrant
        fields = [
            "id", "source", "app_key", "app_name", "client_id", "user", "scopes", "scope_classes",
            "first_granted", "last_granted", "revoked_at", "active", "run", "updated_at",
        ]  # fmt: skip


class ModelUsageDaySerializer(serializers.ModelSerializer):
    system_name = serializers.CharField(source="system.name", read_only=True, default=None)

    class Meta:
        model = ModelUsageDay
        fields = [
            "id", "source", "app_key", "identity", "team", "key_alias", "model", "region",
            "service", "day", "requests", "input_tokens", "output_tokens", "cost", "first_seen",
            "last_seen", "system", "system_name",
        ]  # fmt: skip


class UsageBudgetSerializer(serializers.ModelSerializer):
    used_tokens = serializers.SerializerMethodField(help_text="Tokens used in the month asked.")
    used_spend = serializers.SerializerMethodField(help_text="Spend (USD) in the month asked.")

    class Meta:
        model = UsageBudget
        fields = [
            "id", "scope", "name", "monthly_tokens", "monthly_spend", "model_allowlist",
            "tpm_limit", "rpm_limit", "origin", "created_at", "updated_at", "used_tokens",
            "used_spend",
        ]  # fmt: skip

    def _used(self, budget: UsageBudget) -> dict:
        days = (self.context.get("used") or {}).get(budget.pk, {})
        return {
            "tokens": sum(d["tokens"] for d in days.values()),
            "spend": sum((d["spend"] for d in days.values()), 0),
        }

    def get_used_tokens(self, budget: UsageBudget) -> int:
        return self._used(budget)["tokens"]

    def get_used_spend(self, budget: UsageBudget) -> str:
        return f"{self._used(budget)['spend']:.2f}"


class OAuthGrantListApi(generics.ListAPIView):
    serializer_class = OAuthGrantSerializer
    filterset_class = OAuthGrantFilter

    def get_queryset(self) -> QuerySet[OAuthGrant]:
        return oauth_grant_list()


class ModelUsageListApi(generics.ListAPIView):
    """One row per source, app, identity, team, key, model, region, service and day."""

    serializer_class = ModelUsageDaySerializer
    filterset_class = ModelUsageDayFilter

    def get_queryset(self) -> QuerySet[ModelUsageDay]:
        return model_usage_list()


@extend_schema(
    parameters=[
        OpenApiParameter(
            "month", OpenApiTypes.STR, description="YYYY-MM the usage is summed over; default now."
        )
    ]
)
class UsageBudgetListApi(generics.ListAPIView):
    """Budgets with their month's usage (two queries for the page, whatever its length)."""

    serializer_class = UsageBudgetSerializer
    filterset_class = UsageBudgetFilter

    def get_queryset(self) -> QuerySet[UsageBudget]:
        return usage_budget_list()

    def _month(self) -> dt.date:
        raw = self.request.query_params.get("month", "")
        try:
            return dt.date.fromisoformat(f"{raw}-01")
        except ValueError:
            return timezone.localdate().replace(day=1)

    def list(self, request, *args, **kwargs):
        budgets = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        context = self.get_serializer_context() | {
            "used": budget_daily(budgets=budgets, month=self._month())
        }
        data = self.get_serializer_class()(budgets, many=True, context=context).data
        return self.get_paginated_response(data)
