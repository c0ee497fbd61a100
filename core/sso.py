"""Single sign-on with OpenID Connect (mozilla-django-oidc), configured from the environment.

The provider's group or role claim decides the user's Sightline roles on every sign-in, so a group
removed at the provider takes the role away at the next sign-in. Password sign-in can be switched
off except for one named break-glass account, which django-axes still locks out like any other.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.views import LogoutView
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from core.access import ExpiringModelBackend, account_expired
from core.audit import audit_record
from core.models import OidcIdentity
from core.roles import Role

LOGGER = logging.getLogger(__name__)
WELL_KNOWN = "/.well-known/openid-configuration"
ENDPOINT_KEYS = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "end_session_endpoint",
)
DISCOVERY_TTL_SECONDS = 3600
HTTP_TIMEOUT_SECONDS = 10


class SsoRefused(SuspiciousOperation):
    """The provider vouched for the person, but Sightline will not sign them in (the message says why)."""


def parse_role_map(raw: str) -> dict[str, frozenset[str]]:
    """`group=role,group=role`; a group may be named twice to give two roles; unknown roles are an error."""
    mapping: dict[str, set[str]] = {}
    for item in raw.split(","):
        if not item.strip():
            continue
        group, sep, role = item.rpartition("=")
        group, role = group.strip(), role.strip()
        if not sep or not group:
            raise ImproperlyConfigured(
                f"SIGHTLINE_OIDC_ROLE_MAP: {item.strip()!r} is not of the form group=role."
            )
        if role not in Role.values:
            raise ImproperlyConfigured(
                f"SIGHTLINE_OIDC_ROLE_MAP: {role!r} is not a Sightline role "
                f"({', '.join(Role.values)})."
            )
        mapping.setdefault(group, set()).add(role)
    return {group: frozenset(roles) for group, roles in mapping.items()}


def claim_value(claims: dict[str, Any], path: str) -> Any:
    """A claim by dotted path, so Keycloak's `realm_access.roles` works as well as a flat `groups`."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def claim_groups(claims: dict[str, Any], path: str) -> set[str]:
    value = claim_value(claims, path)
    if value is None:
        return set()
    if isinstance(value, str):
        return {part for part in value.replace(",", " ").split() if part}
    if isinstance(value, list | tuple | set):
        return {str(item) for item in value if isinstance(item, str | int)}
    return set()


def roles_for(groups: set[str], role_map: dict[str, frozenset[str]]) -> set[str]:
    return {role for group in groups for role in role_map.get(group, ())}


_discovery_lock = threading.Lock()
_discovery_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def discover(url: str) -> dict[str, Any]:
    """The provider's discovery document, kept for an hour; a failed fetch raises and is not cached."""
    now = time.monotonic()
    with _discovery_lock:
        cached = _discovery_cache.get(url)
        if cached and cached[0] > now:
            return cached[1]
    response = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS)
    response.raise_for_status()
    document = response.json()
    if not isinstance(document, dict):
        raise requests.RequestException(f"{url} did not return a JSON object")
    with _discovery_lock:
        _discovery_cache[url] = (now + DISCOVERY_TTL_SECONDS, document)
    return document


@dataclass(frozen=True)
class SsoConfig:
    """What the environment says about the provider (sightline/settings.py, SIGHTLINE_OIDC_*)."""

    provider_name: str
    client_id: str
    client_secret: str
    discovery_url: str
    explicit: dict[str, str] = field(default_factory=dict)
    scopes: str = "openid email profile"
    groups_claim: str = "groups"
    username_claim: str = "preferred_username"
    sign_algo: str = "RS256"
    role_map: dict[str, frozenset[str]] = field(default_factory=dict)

    def endpoints(self) -> dict[str, str]:
        """Endpoints named in the environment win over the discovery document's."""
        found: dict[str, str] = {}
        if self.discovery_url:
            document = discover(self.discovery_url)
            found = {key: str(document[key]) for key in ENDPOINT_KEYS if document.get(key)}
        found.update({key: value for key, value in self.explicit.items() if value})
        return found


def sso_config() -> SsoConfig | None:
    """None when single sign-on is not configured (no client id)."""
    raw = getattr(settings, "SIGHTLINE_OIDC", None) or {}
    client_id = (raw.get("CLIENT_ID") or "").strip()
    if not client_id:
        return None
    discovery = (raw.get("DISCOVERY_URL") or "").strip()
    if discovery and not discovery.rstrip("/").endswith(WELL_KNOWN):
        discovery = discovery.rstrip("/") + WELL_KNOWN  # an issuer URL was given
    return SsoConfig(
        provider_name=(raw.get("PROVIDER_NAME") or "").strip() or "single sign-on",
        client_id=client_id,
        client_secret=raw.get("CLIENT_SECRET") or "",
        discovery_url=discovery,
        explicit={
            key: (raw.get(key.upper()) or "").strip()
            for key in ENDPOINT_KEYS
            if (raw.get(key.upper()) or "").strip()
        },
        scopes=(raw.get("SCOPES") or "").strip() or "openid email profile",
        groups_claim=(raw.get("GROUPS_CLAIM") or "").strip() or "groups",
        username_claim=(raw.get("USERNAME_CLAIM") or "").strip() or "preferred_username",
        sign_algo=(raw.get("SIGN_ALGO") or "").strip() or "RS256",
        role_map=parse_role_map(raw.get("ROLE_MAP") or ""),
    )


def local_login_allowed(user) -> bool:
    """With SIGHTLINE_LOCAL_LOGIN=0, only the named break-glass account may use a password."""
    if getattr(settings, "SIGHTLINE_LOCAL_LOGIN", True):
        return True
    break_glass = getattr(settings, "SIGHTLINE_BREAK_GLASS_USER", "")
    return bool(break_glass) and user.get_username() == break_glass


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


def _username(claims: dict[str, Any], config: SsoConfig) -> str:
    for key in (config.username_claim, "preferred_username", "email", "sub"):
        value = claim_value(claims, key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:150]
    raise SsoRefused("The provider sent no user name.")


@transaction.atomic
def sso_user_sync(*, issuer: str, claims: dict[str, Any], groups: set[str], config: SsoConfig):
    """Find or create the user for (issuer, sub) and set their roles to exactly what the claims map to."""
    user_model = get_user_model()
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SsoRefused("The provider sent no subject.")
    link = (
        OidcIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if link is not None:
        user = link.user
    else:
        username = _username(claims, config)
        user = user_model.objects.filter(username=username).first()
        if user is not None and (
            user.is_superuser
            or username == getattr(settings, "SIGHTLINE_BREAK_GLASS_USER", "")
            or OidcIdentity.objects.filter(user=user).exists()
        ):
            raise SsoRefused(
                f"The Sightline account {username!r} cannot be used with single sign-on. "
                "Ask an administrator."
            )
        if user is None:
            user = user_model.objects.create_user(username, email=claims.get("email") or "")
            audit_record(
                actor=user,
                action="account.sso_create",
                target=user,
                changes={"username": [None, username], "issuer": [None, issuer]},
            )
        link = OidcIdentity.objects.create(user=user, issuer=issuer, subject=subject)
        audit_record(
            actor=user,
            action="account.sso_link",
            target=user,
            changes={"issuer": [None, issuer], "subject": [None, subject]},
        )
    if not user.is_active or account_expired(user):
        raise SsoRefused("This Sightline account is deactivated or has expired.")

    profile = {
        "email": claims.get("email"),
        "first_name": claims.get("given_name"),
        "last_name": claims.get("family_name"),
    }
    changes: dict[str, list] = {}
    for name, value in profile.items():
        if isinstance(value, str) and value != getattr(user, name):
            changes[name] = [getattr(user, name), value[:150]]
            setattr(user, name, value[:150])

    wanted = roles_for(groups, config.role_map)
    current = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    if user.is_superuser:
        current.add(Role.ADMIN)  # a superuser made in the admin loses that too, unless mapped
    if wanted != current:
        user.groups.remove(*Group.objects.filter(name__in=current - wanted))
        user.groups.add(*Group.objects.filter(name__in=wanted - current))
        changes["roles"] = [sorted(current), sorted(wanted)]
    # Roles come from the provider alone: admin is the only one with the Django admin.
    staff = Role.ADMIN in wanted
    if user.is_staff != staff or user.is_superuser:
        changes["is_staff"] = [user.is_staff, staff]
        user.is_staff, user.is_superuser = staff, False
    if changes:
        user.save()
        audit_record(actor=user, action="account.sso_sync", target=user, changes=changes)
    OidcIdentity.objects.filter(pk=link.pk).update(last_login_at=timezone.now())
    user.__dict__.pop("_sightline_roles", None)  # core.roles caches roles on the object
    return user


def _settings_for(attr: str, config: SsoConfig, *default):
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
        return _settings_for(attr, self.config, *default)

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


class SsoLoginView(OIDCAuthenticationRequestView):
    """GET /sso/login/: off the user goes to the provider, with state, nonce and a PKCE challenge."""

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)
        self.config: SsoConfig | None = None

    def get_settings(self, attr, *default):
        return _settings_for(attr, self.config, *default)

    def get(self, request: HttpRequest) -> HttpResponse:
        self.config = sso_config()
        if self.config is None:
            raise Http404("Single sign-on is not configured.")
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


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """GET /sso/callback/: the provider sends the user back with a code."""

    config: SsoConfig | None = None

    def get_settings(self, attr, *default):
        return _settings_for(attr, self.config, *default)

    def get(self, request: HttpRequest) -> HttpResponse:
        self.config = sso_config()
        if self.config is None:
            raise Http404("Single sign-on is not configured.")
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


@checks.register(checks.Tags.security, deploy=False)
def sso_settings_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A typo in the role map or a locked-out site is reported by `manage.py check`, not at sign-in."""
    problems: list[checks.CheckMessage] = []
    try:
        config = sso_config()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="sightline.E201")]
    local = getattr(settings, "SIGHTLINE_LOCAL_LOGIN", True)
    break_glass = getattr(settings, "SIGHTLINE_BREAK_GLASS_USER", "")
    if not local and config is None:
        problems.append(
            checks.Warning(
                "SIGHTLINE_LOCAL_LOGIN=0 without single sign-on: only the break-glass account "
                "can sign in.",
                id="sightline.W201",
            )
        )
    if not local and not break_glass:
        problems.append(
            checks.Warning(
                "SIGHTLINE_LOCAL_LOGIN=0 and no SIGHTLINE_BREAK_GLASS_USER: nobody can sign in "
                "if the provider is down.",
                id="sightline.W202",
            )
        )
    if config is not None and not config.discovery_url:
        missing = [
            key.upper()
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri")
            if key not in config.explicit
        ]
        if missing:
            problems.append(
                checks.Error(
                    "Single sign-on needs SIGHTLINE_OIDC_DISCOVERY_URL or "
                    + ", ".join(f"SIGHTLINE_OIDC_{key}" for key in missing)
                    + ".",
                    id="sightline.E202",
                )
            )
    return problems
