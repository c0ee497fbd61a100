from django.urls import path

from programme.views import requests

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
