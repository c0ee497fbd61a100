from django.urls import path

from programme.views import links, literacy, notices, requests, rights, risks

app_name = "programme"

urlpatterns = [
    path("requests/", requests.request_list, name="request-list"),
    path("requests/new/", requests.request_create, name="request-create"),
    path("requests/tools/", requests.tool_search, name="tool-search"),
    path("requests/<int:pk>/", requests.request_detail, name="request-detail"),
    path("requests/<int:pk>/answer/", requests.request_complete, name="request-complete"),
    path("requests/<int:pk>/decide/", requests.request_decide, name="request-decide"),
    path("findings/<int:pk>/ask/", requests.finding_invite, name="finding-invite"),
]

urlpatterns += [
    path("risks/", risks.risk_list, name="risk-list"),
    path("risks/new/", risks.risk_create_view, name="risk-create"),
    path("risks/<int:pk>/", risks.risk_detail, name="risk-detail"),
    path("risks/<int:pk>/edit/", risks.risk_edit, name="risk-edit"),
    path("risks/<int:pk>/controls/", risks.risk_control_add, name="risk-control-add"),
    path("risk-controls/<int:pk>/", risks.risk_control_edit, name="risk-control-edit"),
    path("evidence/<int:pk>/", risks.control_evidence_download, name="control-evidence"),
    path("controls/", risks.control_list, name="control-list"),
    path("literacy/", literacy.literacy_overview, name="literacy"),
    path("literacy/modules/new/", literacy.module_create, name="module-create"),
    path("literacy/import/", literacy.completion_import, name="completion-import"),
    path("literacy/assign/", literacy.assignment_create, name="assignment-create"),
    path("rights/", rights.rights_list, name="rights-list"),
    path("rights/new/", rights.rights_create, name="rights-create"),
    path("rights/<int:pk>/", rights.rights_detail, name="rights-detail"),
    path("rights/<int:pk>/answer/", rights.rights_answer, name="rights-answer"),
    path("rights/<int:pk>/extend/", rights.rights_extend, name="rights-extend"),
]

urlpatterns += [
    path("systems/<int:pk>/notices/", notices.system_notices, name="system-notices"),
    path(
        "systems/<int:pk>/notices/<str:code>.<str:fmt>",
        notices.notice_download,
        name="notice-download",
    ),
    path("systems/<int:pk>/obligations/", notices.system_obligations, name="system-obligations"),
    path(
        "systems/<int:pk>/controls/<int:control_pk>/",
        notices.system_control_view,
        name="system-control",
    ),
    path("assessments/<int:pk>/links/", links.answer_link_add, name="answer-link-add"),
    path("answer-links/<int:pk>/delete/", links.answer_link_delete_view, name="answer-link-delete"),
]
