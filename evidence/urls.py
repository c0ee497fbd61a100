from django.urls import path, re_path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.pack_list_view, name="pack-list"),
    path("new/", views.pack_create_view, name="pack-create"),
    path("<int:pk>/", views.pack_detail_view, name="pack-detail"),
    path("<int:pk>/progress/", views.pack_progress_view, name="pack-progress"),
    path("<int:pk>/retry/", views.pack_retry_view, name="pack-retry"),
    re_path(
        r"^(?P<pk>[0-9]+)/download/(?P<kind>zip|pdf)/$",
        views.pack_download_view,
        name="pack-download",
    ),
    path("verify/", views.verify_view, name="verify"),
    path("public-key/", views.public_key_view, name="public-key"),
    path("public-key.pem", views.public_key_pem_view, name="public-key-pem"),
]
