"""Authentication backends: the password check that honours SIGHTLINE_LOCAL_LOGIN, and OpenID Connect."""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from core.access import ExpiringModelBackend, account_expired
from core.sso.config import (
    HTTP_TIMEOUT_SECONDS,
    SsoConfig,
    claim_groups,
    local_login_allowed,
    sso_config,
)
from core.sso.services import SsoRefused, sso_user_sync

LOGGER = logging.getLogger(__name__)


class LocalPasswordBackend(ExpiringModelBackend):
    """The password check, refused to everyone but the break-glass account when local login is off.

    `get_user` asks the same question, so switching local login off also ends password sessions.
    """

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and local_login_allowed(user)


def axes_exempt(request, credentials=None) -> bool:
    """django-axes guards passwords. The callback carries none (the provider locks out its own
    guessers), and counting its failures, which have no user name, would lock everyone behind one
    address out of single sign-on."""
    return request is not None and getattr(request, "path", "") == reverse("sso-callback")


def settings_for(attr: str, config: SsoConfig, *default):
    """mozilla-django-oidc reads its settings through get_settings; ours come from SsoConfig."""
    values = {
        "OIDC_RP_CLIENT_ID": config.client_id,
        "OIDC_RP_CLIENT_SECRET": config.client_secret,
        "OIDC_RP_SCOPES": config.scopes,
        "OIDC_RP_SIGN_ALGO": config.sign_algo,
        "OIDC_USE_PKCE": True,
        "OIDC_USE_NONCE": True,
        "OIDC_STORE_ID_TOKEN": True,  # the id_token_hint of RP-initiated logout
        "OIDC_AUTHENTICATION_CALLBACK_URL": "sso-callback",
        "OIDC_TIMEOUT": HTTP_TIMEOUT_SECONDS,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "LOGIN_REDIRECT_URL_FAILURE": "login",
    }
    if attr in values:
        return values[attr]
    return import_from_settings(attr, *default)


class OidcBackend(OIDCAuthenticationBackend):
    """The authorization-code flow with PKCE; also checks the ID token's issuer and audience."""

    def __init__(self, *args, **kwargs):
        # Endpoints are looked up per sign-in (discovery), not when Django loads the backend.
        self.UserModel = get_user_model()
        self.config: SsoConfig | None = None

    def get_settings(self, attr, *default):
        return settings_for(attr, self.config, *default)

    def authenticate(self, request, **kwargs):
        if request is None or "code" not in request.GET or "state" not in request.GET:
            return None
        self.config = sso_config()
        if self.config is None:
            return None
        try:
            self.endpoints = self.config.endpoints()
            self.OIDC_OP_TOKEN_ENDPOINT = self.endpoints["token_endpoint"]
            self.OIDC_OP_USER_ENDPOINT = self.endpoints.get("userinfo_endpoint")
            self.OIDC_OP_JWKS_ENDPOINT = self.endpoints["jwks_uri"]
            self.OIDC_RP_CLIENT_ID = self.config.client_id
            self.OIDC_RP_CLIENT_SECRET = self.config.client_secret
            self.OIDC_RP_SIGN_ALGO = self.config.sign_algo
            self.OIDC_RP_IDP_SIGN_KEY = None
            return super().authenticate(request, **kwargs)
        except (KeyError, requests.RequestException, jwt.PyJWTError, SuspiciousOperation) as exc:
            LOGGER.warning("Single sign-on failed: %s", exc)
            return None

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        issuer = self.endpoints.get("issuer")
        if issuer and "{tenantid}" in issuer:  # Entra's multi-tenant document
            issuer = issuer.replace("{tenantid}", str(payload.get("tid", "")))
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.config.client_id not in audiences:
            raise SuspiciousOperation("The ID token is not meant for this client.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo: dict[str, Any] = {}
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = self.get_userinfo(access_token, id_token, payload) or {}
            if userinfo.get("sub") not in (None, payload.get("sub")):
                raise SuspiciousOperation("The user info belongs to another subject.")
        claims = {**payload, **userinfo}
        # Entra and Okta put groups in the ID token, Keycloak in either: take whichever has them.
        groups = claim_groups(userinfo, self.config.groups_claim) or claim_groups(
            payload, self.config.groups_claim
        )
        if not groups and self.config.groups_claim in (payload.get("_claim_names") or {}):
            # Entra lists no groups past 200 ("groups overage"); map app roles instead.
            LOGGER.warning(
                "Single sign-on: %s has too many groups to list in the token; set "
                "SIGHTLINE_OIDC_GROUPS_CLAIM=roles and map the application's roles.",
                payload.get("sub"),
            )
        try:
            return sso_user_sync(
                issuer=str(payload.get("iss") or ""),
                claims=claims,
                groups=groups,
                config=self.config,
            )
        except SsoRefused as exc:
            self.request.sso_refusal = str(exc)
            raise

    def get_user(self, user_id):
        """Like ModelBackend: a deactivated or expired account's session ends."""
        if sso_config() is None:
            return None
        user = self.UserModel._default_manager.filter(pk=user_id).first()
        if user is None or not user.is_active or account_expired(user):
            return None
        return user
