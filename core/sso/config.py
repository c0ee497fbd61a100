"""Single sign-on settings (SIGHTLINE_OIDC_*), the provider's discovery document and the role map."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from core.roles import Role

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
