from django.urls import path

from assessments.views import assessment as a
from assessments.views import vendor as v

app_name = "assessments"

urlpatterns = [
    path("", a.assessment_list_view, name="assessment-list"),
    path("start/", a.assessment_start_view, name="assessment-start"),
    path("<int:pk>/", a.assessment_detail, name="assessment-detail"),
    path("<int:pk>/answer/<str:qid>/", a.answer_save_view, name="answer-save"),
    path("<int:pk>/field/<str:qid>/", a.answer_field, name="answer-field"),
    path("<int:pk>/attach/<str:qid>/", a.attachment_add_view, name="attachment-add"),
    path("<int:pk>/detach/<str:qid>/", a.attachment_remove_view, name="attachment-remove"),
    path("<int:pk>/files/<str:sha256>/", a.attachment_download, name="attachment-download"),
    path("<int:pk>/comment/<str:qid>/", a.comment_add_view, name="comment-add"),
    path(
        "<int:pk>/comments/<int:comment_pk>/resolve/",
        a.comment_resolve_view,
        name="comment-resolve",
    ),
    path("<int:pk>/revise/", a.assessment_revision_start_view, name="revision-start"),
    path("<int:pk>/submit/", a.assessment_submit_view, name="assessment-submit"),
    path("<int:pk>/approve/", a.assessment_approve_view, name="assessment-approve"),
    path("<int:pk>/return/", a.assessment_return_view, name="assessment-return"),
    path("<int:pk>/revisions/", a.revision_list, name="revision-list"),
    path("<int:pk>/revisions/<int:number>/", a.revision_detail, name="revision-detail"),
    path("vendors/", v.checklist_list_view, name="checklist-list"),
    path("vendors/checklists/new/", v.checklist_create_view, name="checklist-create"),
    path("vendors/checklists/<int:pk>/", v.checklist_detail, name="checklist-detail"),
    path("vendors/checklists/<int:pk>/sync/", v.checklist_sync_view, name="checklist-sync"),
    path("vendors/checklists/<int:pk>/request/", v.checklist_request, name="checklist-request"),
    path("vendors/items/<int:pk>/upload/", v.evidence_upload_view, name="evidence-upload"),
    path("vendors/items/<int:pk>/review/", v.evidence_review_view, name="evidence-review"),
    path("vendors/files/<int:pk>/", v.evidence_download, name="evidence-download"),
]
