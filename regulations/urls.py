from django.urls import path

from regulations.views import content, dashboard, deadlines, systems

app_name = "regulations"

urlpatterns = [
    path("", content.regime_list, name="regime-list"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("organisation/", content.organisation_view, name="organisation"),
    path("deadlines/", deadlines.deadline_list_view, name="deadline-list"),
    path("deadlines/calendar/", deadlines.deadline_calendar, name="deadline-calendar"),
    path(
        "deadlines/<int:pk>/complete/", deadlines.deadline_complete_view, name="deadline-complete"
    ),
    path("calendar/", deadlines.calendar_token_view, name="calendar-token"),
    path("calendar/<str:token>.ics", deadlines.calendar_feed_view, name="calendar-feed"),
    path("systems/<int:pk>/panel/", systems.system_panel_view, name="system-panel"),
    path("systems/<int:pk>/classify/", systems.system_classify, name="system-classify"),
    path("systems/<int:pk>/override/", systems.system_override, name="system-override"),
    path(
        "systems/<int:pk>/override-form/", systems.system_override_form, name="system-override-form"
    ),
    path("systems/<int:pk>/modification/", systems.system_modification, name="system-modification"),
    path("overrides/<int:pk>/withdraw/", systems.override_withdraw, name="override-withdraw"),
    path("<slug:code>/compare/", content.version_diff_view, name="version-diff"),
    path("<slug:code>/<slug:version>/", content.version_detail, name="version-detail"),
]
