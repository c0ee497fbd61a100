from django.urls import path

from discovery import api, api_usage

urlpatterns = [
    path("discovery/runs/", api.IngestRunListApi.as_view(), name="discovery-api-run-list"),
    path(
        "discovery/runs/<int:pk>/",
        api.IngestRunDetailApi.as_view(),
        name="discovery-api-run-detail",
    ),
    path("discovery/findings/", api.FindingListApi.as_view(), name="discovery-api-finding-list"),
    path(
        "discovery/findings/<int:pk>/",
        api.FindingDetailApi.as_view(),
        name="discovery-api-finding-detail",
    ),
    path(
        "discovery/findings/<int:pk>/<str:action>/",
        api.FindingTriageApi.as_view(),
        name="discovery-api-finding-triage",
    ),
    path("discovery/apps/", api.DiscoveredAppListApi.as_view(), name="discovery-api-app-list"),
    path("discovery/blocklist/", api.BlocklistApi.as_view(), name="discovery-api-blocklist"),
    path(
        "discovery/oauth-grants/",
        api_usage.OAuthGrantListApi.as_view(),
        name="discovery-api-oauth-grant-list",
    ),
    path(
        "discovery/model-usage/",
        api_usage.ModelUsageListApi.as_view(),
        name="discovery-api-model-usage-list",
    ),
    path(
        "discovery/budgets/",
        api_usage.UsageBudgetListApi.as_view(),
        name="discovery-api-budget-list",
    ),
]
