from django.urls import path

from assessments import api

urlpatterns = [
    path("assessments/", api.AssessmentListApi.as_view(), name="api-assessment-list"),
    path("assessments/<int:pk>/", api.AssessmentDetailApi.as_view(), name="api-assessment-detail"),
    path(
        "assessments/<int:pk>/answers/",
        api.AssessmentAnswerApi.as_view(),
        name="api-assessment-answer",
    ),
    path(
        "assessments/<int:pk>/transitions/",
        api.AssessmentTransitionApi.as_view(),
        name="api-assessment-transition",
    ),
    path("vendor-checklists/", api.ChecklistListApi.as_view(), name="api-checklist-list"),
    path("evidence-files/", api.EvidenceFileListApi.as_view(), name="api-evidence-list"),
    path(
        "evidence-files/<int:pk>/", api.EvidenceFileDetailApi.as_view(), name="api-evidence-detail"
    ),
]
