from django.urls import path

from inventory.views import intake, search, systems, transfer, vendors

app_name = "inventory"

urlpatterns = [
    path("", systems.system_list, name="system-list"),
    path("systems/new/", systems.system_create, name="system-create"),
    path("systems/validate/", systems.system_validate, name="system-validate"),
    path("systems/search/", search.system_search, name="system-search"),
    path("systems/<int:pk>/", systems.system_detail, name="system-detail"),
    path("systems/<int:pk>/edit/", systems.system_edit, name="system-edit"),
    path("systems/<int:pk>/intake/", intake.system_intake, name="system-intake"),
    path("systems/<int:pk>/delete/", systems.system_delete, name="system-delete"),
    path("export/", transfer.system_export, name="system-export"),
    path("import/", transfer.system_import, name="system-import"),
    path("vendors/", vendors.vendor_list, name="vendor-list"),
    path("vendors/new/", vendors.vendor_create_view, name="vendor-create"),
    path("vendors/validate/", vendors.vendor_validate, name="vendor-validate"),
    path("vendors/<int:pk>/", vendors.vendor_detail, name="vendor-detail"),
    path("vendors/<int:pk>/edit/", vendors.vendor_edit, name="vendor-edit"),
    path("vendors/<int:pk>/delete/", vendors.vendor_delete_view, name="vendor-delete"),
]
