from django.urls import path

from programme import api

urlpatterns = [
    path("ai-requests/", api.AIUseRequestListApi.as_view(), name="api-ai-request-list"),
    path(
        "ai-requests/<int:pk>/", api.AIUseRequestDetailApi.as_view(), name="api-ai-request-detail"
    ),
    path("risks/", api.RiskListApi.as_view(), name="api-risk-list"),
    path("controls/", api.ControlListApi.as_view(), name="api-control-list"),
    path("literacy/completions/", api.CompletionListApi.as_view(), name="api-completion-list"),
    path("literacy/coverage/", api.LiteracyCoverageApi.as_view(), name="api-literacy-coverage"),
    path("rights-requests/", api.RightsRequestListApi.as_view(), name="api-rights-request-list"),
]
