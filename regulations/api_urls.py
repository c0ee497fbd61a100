from django.urls import path

from regulations import api

urlpatterns = [
    path("regulations/regimes/", api.RegimeListApi.as_view(), name="api-regime-list"),
    path(
        "regulations/regimes/<slug:code>/versions/<slug:version>/",
        api.RegimeVersionDetailApi.as_view(),
        name="api-regime-version-detail",
    ),
    path("regulations/results/", api.ClassificationResultListApi.as_view(), name="api-result-list"),
    path("regulations/deadlines/", api.DeadlineListApi.as_view(), name="api-deadline-list"),
    path(
        "regulations/systems/<int:pk>/classify/",
        api.SystemClassifyApi.as_view(),
        name="api-system-classify",
    ),
]
