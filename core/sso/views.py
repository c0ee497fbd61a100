"""Sign-in with the provider, its callback, and sign-out that ends the provider's session too."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from django.contrib import messages
from django.contrib.auth.views import LogoutView
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from core.sso.auth import settings_for
from core.sso.config import SsoConfig, sso_config

LOGGER = logging.getLogger(__name__)


class _StoredSettings:
    """Both ends of the flow read their OIDC settings from the stored single sign-on config."""

    config: SsoConfig | None = None

    def get_settings(self, attr, *default):
        return settings_for(attr, self.config, *default)

    def _configure(self) -> None:
        self.config = sso_config()
        if self.config is None:
            raise Http404("Single sign-on is not configured.")


class SsoLoginView(_StoredSettings, OIDCAuthenticationRequestView):
    """GET /sso/login/: off the user goes to the provider, with state, nonce and a PKCE challenge."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)
        self.config = None

    def get(self, request: HttpRequest) -> HttpResponse:
        self._configure()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.config.endpoints()["authorization_endpoint"]
        except (KeyError, ValueError, requests.RequestException) as exc:
            LOGGER.warning("Single sign-on: discovery failed: %s", exc)
            messages.error(
                request,
                f"{self.config.provider_name} cannot be reached just now. Try again in a minute.",
            )
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = self.config.client_id
        return super().get(request)


class SsoCallbackView(_StoredSettings, OIDCAuthenticationCallbackView):
    """GET /sso/callback/: the provider sends the user back with a code."""

    def get(self, request: HttpRequest) -> HttpResponse:
        self._configure()
        try:
            return super().get(request)
        except SuspiciousOperation:  # a state this session never issued (replay, other tab)
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, "sso_refusal", "") or (
            f"Sign-in with {self.config.provider_name} did not complete. Try again."
        )
        messages.error(self.request, reason)
        return redirect("login")


def provider_logout_url(request: HttpRequest) -> str | None:
    """The provider's end-session URL (RP-initiated logout), when this session came from it."""
    config = sso_config()
    id_token = request.session.get("oidc_id_token") if hasattr(request, "session") else None
    if config is None or not id_token:
        return None
    try:
        end_session = config.endpoints().get("end_session_endpoint")
    except (ValueError, requests.RequestException) as exc:
        LOGGER.warning("Single sign-on: discovery failed at sign-out: %s", exc)
        return None
    if not end_session:
        return None  # e.g. Google: the local session ends, the provider's stays
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": config.client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
        }
    )
    return f"{end_session}{'&' if '?' in end_session else '?'}{query}"


class SignOutView(LogoutView):
    """Sign-out ends the Sightline session, then the provider's where it offers end_session_endpoint."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        end_session = provider_logout_url(request)  # read before the session is flushed
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(end_session) if end_session else response
