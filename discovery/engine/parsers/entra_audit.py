"""Microsoft Entra ID audit logs (directoryAudits): consents and permission grants to apps.

Grants: "Consent to application" (ConsentAction.Permissions: `[[Id: …, ClientId: …, Scope: a b c,
CreatedDateTime: …]]`), "Add delegated permission grant" (DelegatedPermissionGrant.Scope) and
"Add app role assignment to service principal" (AppRole.Value). Revokes: "Remove delegated
permission grant", "Remove app role assignment from service principal", "Revoke consent".
The app is the target service principal (targetResources[].displayName) or, when the event names
the resource (Microsoft Graph), the `ServicePrincipal.DisplayName` / `ServicePrincipal.AppId`
properties; the app id comes from `additionalDetails` AppId, `ServicePrincipal.AppId` or the GUID
in `TargetId.ServicePrincipalNames`. The user is initiatedBy.user.userPrincipalName. Accepted:
Graph `{"value": [...]}`, a portal JSON array, JSON lines, and Azure Monitor diagnostic records
(`{"records": [{"properties": {...}}]}`).
"""

from __future__ import annotations

import re

from .base import LineParser
from .records import GrantEvent, SkipReason, json_object
from .vendors import _epoch

GRANTS = {
    "consent to application": "grant",
    "add delegated permission grant": "grant",
    "add app role assignment to service principal": "grant",
    "add oauth2permissiongrant": "grant",
    "remove delegated permission grant": "revoke",
    "remove app role assignment from service principal": "revoke",
    "revoke consent": "revoke",
}
SCOPE_PROPS = ("ConsentAction.Permissions", "DelegatedPermissionGrant.Scope", "AppRole.Value")
GUID_RE = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
SCOPE_IN_TEXT = re.compile(r"Scope:\s*([^,\]]*)")
RESOURCE_APPS = {"microsoft graph", "windows azure active directory", "office 365 exchange online"}


def _clean(value: object) -> str:
    """A modifiedProperties value: JSON text with quotes, sometimes a list in brackets."""
    text = str(value or "").strip()
    while len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return text.replace('\\"', '"')


def _scopes(props: dict[str, str]) -> tuple[str, ...]:
    found: set[str] = set()
    for name in SCOPE_PROPS:
        text = props.get(name, "")
        if not text:
            continue
        parts = [m.group(1) for m in SCOPE_IN_TEXT.finditer(text)] if "Scope:" in text else [text]
        for part in parts:
            for s in re.split(r"[\s,;\[\]\"]+", part):
                if s and s.lower() not in ("null", "none"):
                    found.add(s)
    return tuple(sorted(found))


def audit_row(obj: dict) -> dict:
    """The audit record itself (Azure Monitor wraps it in `properties`)."""
    props = obj.get("properties")
    if isinstance(props, dict) and "activityDisplayName" in props:
        row = dict(props)
        row.setdefault("activityDateTime", obj.get("time"))
        return row
    return obj


def entra_grant(obj: dict, *, ref: str = "") -> GrantEvent | SkipReason:
    """A grant or revoke from one directory audit record; NOT_EVENT for other activities."""
    row = audit_row(obj)
    name = str(row.get("activityDisplayName") or row.get("operationName") or "").strip()
    if not name:
        return SkipReason.MALFORMED
    action = GRANTS.get(name.lower())
    if action is None:
        return SkipReason.NOT_EVENT
    if str(row.get("result") or "success").lower() not in ("success", "0", ""):
        return SkipReason.NOT_EVENT  # a failed consent grants nothing
    try:
        ts = _epoch(row.get("activityDateTime") or row.get("TimeGenerated"))
    except (ValueError, OverflowError, TypeError):
        return SkipReason.BAD_TIMESTAMP
    targets = [t for t in row.get("targetResources") or () if isinstance(t, dict)]
    props: dict[str, str] = {}
    for t in targets:
        for mp in t.get("modifiedProperties") or ():
            if isinstance(mp, dict) and mp.get("displayName"):
                value = mp.get("newValue") if action == "grant" else mp.get("oldValue")
                props[str(mp["displayName"])] = _clean(value or mp.get("newValue"))
    details = {
        str(d.get("key")): str(d.get("value") or "")
        for d in row.get("additionalDetails") or ()
        if isinstance(d, dict)
    }
    sp = next((t for t in targets if str(t.get("type", "")).lower() == "serviceprincipal"), None)
    sp = sp or (targets[0] if targets else {})
    app_name = str(sp.get("displayName") or "")
    if not app_name or app_name.lower() in RESOURCE_APPS:
        # the target is the API granted (Microsoft Graph): the client is in the properties, or
        # only in the "Consent to application" record of the same correlationId
        app_name = props.get("ServicePrincipal.DisplayName", "")
        if not app_name or app_name.lower() in RESOURCE_APPS:
            return SkipReason.NOT_EVENT
        sp = {}
    app_id = details.get("AppId") or props.get("ServicePrincipal.AppId", "")
    if not app_id:
        m = GUID_RE.search(props.get("TargetId.ServicePrincipalNames", ""))
        app_id = m.group(0) if m else ""
    app_id = app_id.lower() or str(sp.get("id") or "").lower()
    if not (app_name or app_id):
        return SkipReason.MISSING_HOST
    initiated = row.get("initiatedBy") if isinstance(row.get("initiatedBy"), dict) else {}
    who = initiated.get("user") if isinstance(initiated.get("user"), dict) else {}
    user = str(who.get("userPrincipalName") or who.get("id") or "")
    if not user and isinstance(initiated.get("app"), dict):
        user = "app:" + str(initiated["app"].get("displayName") or "")
    return GrantEvent(
        ts=ts,
        source="entra_audit",
        action=action,
        app_name=app_name or app_id,
        client_id=app_id or app_name.lower(),
        user=user,
        scopes=_scopes(props),
        event_id=str(row.get("id") or ""),
        raw_ref=ref,
    )


class EntraAuditParser(LineParser):
    """One directory audit record per line (whole-document exports are split beforehand)."""

    name = "entra_audit"
    source_type = "oauth"
    prefilter_safe = False

    def parse(self, line: str):  # -> GrantEvent | list[GrantEvent] | SkipReason
        obj = json_object(line)
        if isinstance(obj, SkipReason):
            return obj
        for key in ("value", "records"):
            if isinstance(obj.get(key), list):  # a one-line document
                got = [entra_grant(o) for o in obj[key] if isinstance(o, dict)]
                events = [g for g in got if isinstance(g, GrantEvent)]
                return events or (got[0] if got else SkipReason.NOT_EVENT)
        return entra_grant(obj)
