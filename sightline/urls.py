from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import core.schema  # noqa: F401 - names the token header in the OpenAPI schema
from core.api import TokenListApi, TokenObtainApi, TokenRevokeApi
from regulations.views.dashboard import dashboard

api_patterns = [
    path("", include("inventory.api_urls")),
    path("", include("regulations.api_urls")),
    path("", include("discovery.api_urls")),
    path("", include("assessments.api_urls")),
    path("", include("evidence.api_urls")),
    path("", include("programme.api_urls")),
    path("token/", TokenObtainApi.as_view(), name="api-token"),
    path("tokens/", TokenListApi.as_view(), name="api-token-list"),
    path("tokens/<str:token_key>/", TokenRevokeApi.as_view(), name="api-token-revoke"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its init script as a file, so scripts stay 'self'; Swagger UI sets
    # inline styles, which this one page allows.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

urlpatterns = [
    # The landing page is the regulations dashboard: scope, risk and what is due next.
    path("", dashboard, name="home"),
    path("", include("core.urls")),
    path("inventory/", include("inventory.urls")),
    path("regulations/", include("regulations.urls")),
    path("discovery/", include("discovery.urls")),
    path("assessments/", include("assessments.urls")),
    path("evidence/", include("evidence.urls")),
    path("programme/", include("programme.urls")),
    path("api/", include(api_patterns)),
    path("admin/", admin.site.urls),
]
