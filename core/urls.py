from django.contrib.auth import views as auth_views
from django.urls import path

from core import audit_views, token_views, views
from core.access import LoginForm
from core.sso import views as sso

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", sso.SignOutView.as_view(), name="logout"),
    path("sso/login/", sso.SsoLoginView.as_view(), name="sso-login"),
    path("sso/callback/", sso.SsoCallbackView.as_view(), name="sso-callback"),
    # Browsers and feed readers ask for /favicon.ico whatever the page links to.
    path("favicon.ico", views.favicon, name="favicon"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/badge/", views.inbox_badge, name="inbox-badge"),
    path("account/notifications/", views.notification_settings, name="notification-settings"),
    path("account/api-tokens/", token_views.api_tokens, name="api-tokens"),
    path(
        "account/api-tokens/<str:token_key>/revoke/",
        token_views.api_token_revoke_page,
        name="api-token-revoke-page",
    ),
    path("audit/", views.audit_list, name="audit-list"),
    path("audit/export.csv", views.audit_export, name="audit-export"),
    path("audit/verify/", views.audit_verify_page, name="audit-verify"),
    path("audit/checkpoints.json", audit_views.audit_checkpoints, name="audit-checkpoints"),
]
