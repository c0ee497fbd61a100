from django.urls import path

from discovery.views import apps, budgets, drift, findings, oauth, overview, runs, sources

app_name = "discovery"

urlpatterns = [
    path("", apps.app_list, name="app-list"),
    path("overview/", overview.overview, name="overview"),
    path("apps/export.csv", apps.app_export, name="app-export"),
    path("apps/<str:subject>/", apps.app_detail, name="app-detail"),
    path("findings/", findings.finding_list_view, name="finding-list"),
    path("findings/bulk/", overview.finding_bulk_triage_view, name="finding-bulk-triage"),
    path("findings/<int:pk>/", findings.finding_detail, name="finding-detail"),
    path("findings/<int:pk>/triage/", findings.finding_triage_forms, name="finding-triage-forms"),
    path("findings/<int:pk>/sanction/", findings.finding_sanction_view, name="finding-sanction"),
    path("findings/<int:pk>/block/", findings.finding_block_view, name="finding-block"),
    path("findings/<int:pk>/confirm/", findings.finding_confirm_view, name="finding-confirm"),
    path("findings/<int:pk>/dismiss/", findings.finding_dismiss_view, name="finding-dismiss"),
    path("findings/<int:pk>/assign/", findings.finding_assign_view, name="finding-assign"),
    path("findings/<int:pk>/drift/accept/", drift.drift_accept_view, name="drift-accept"),
    path("findings/<int:pk>/drift/reject/", drift.drift_reject_view, name="drift-reject"),
    path("budgets/", budgets.budget_list, name="budget-list"),
    path("budgets/set/", budgets.budget_form, name="budget-form"),
    path("budgets/import/", budgets.budget_import, name="budget-import"),
    path("runs/", runs.run_list, name="run-list"),
    path("runs/upload/", runs.run_upload, name="run-upload"),
    path("runs/<int:pk>/", runs.run_detail, name="run-detail"),
    path("runs/<int:pk>/progress/", runs.run_progress, name="run-progress"),
    path("runs/<int:pk>/retry/", runs.run_retry, name="run-retry"),
    path("sources/", sources.source_list, name="source-list"),
    path("sources/add/", sources.source_create, name="source-create"),
    path("sources/<int:pk>/toggle/", sources.source_toggle, name="source-toggle"),
    path("sources/identity/", sources.identity_upload, name="identity-upload"),
    path("blocklist/", sources.blocklist, name="blocklist"),
    path("blocklist/export/<str:fmt>/", sources.blocklist_export, name="blocklist-export"),
    path(
        "blocklist/oauth-client-ids.txt",
        oauth.oauth_client_ids_export,
        name="blocklist-oauth-export",
    ),
    path("blocklist/<int:pk>/remove/", sources.blocklist_remove, name="blocklist-remove"),
]
