from django.urls import path

from evidence import api

urlpatterns = [
    path("evidence-packs/", api.EvidencePackListApi.as_view(), name="api-evidence-pack-list"),
    path(
        "evidence-packs/<int:pk>/",
        api.EvidencePackDetailApi.as_view(),
        name="api-evidence-pack-detail",
    ),
]
