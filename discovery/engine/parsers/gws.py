"""Google Workspace Admin SDK Reports, token application activity (OAuth grants).

An activity (`kind: admin#reports#activity`, `id.applicationName: token`) holds events named
`authorize` or `revoke` with parameters `app_name`, `client_id` and the scopes, either as
`scope` (multiValue) or as `scope_data` (multiMessageValue of `scope_name` parameters);
`actor.email` is the user. Other token events (`activity`: an app's API call) are not grants.
The Reports API response `{"kind": "admin#reports#activities", "items": [...]}` is split into
one activity per line before parsing (archive.DOCUMENT_LIST_KEYS); JSON lines of activities are
read as they are.
"""

from __future__ import annotations

from .base import LineParser
from .records import GrantEvent, SkipReason, json_object
from .vendors import _epoch

ACTIONS = {"authorize": "grant", "revoke": "revoke"}


def _params(event: dict) -> dict[str, object]:
    """Event parameters by name: value, multiValue, or the scope names of scope_data."""
    out: dict[str, object] = {}
    for p in event.get("parameters") or event.get("parameter") or ():
        if not isinstance(p, dict) or not p.get("name"):
            continue
        name = str(p["name"])
        if "multiValue" in p:
            out[name] = [str(v) for v in p.get("multiValue") or ()]
        elif "multiMessageValue" in p:
            names = []
            for msg in p.get("multiMessageValue") or ():
                for q in (msg or {}).get("parameter") or ():
                    if isinstance(q, dict) and q.get("name") == "scope_name" and q.get("value"):
                        names.append(str(q["value"]))
            out[name] = names
        else:
            out[name] = p.get("value", p.get("intValue", p.get("boolValue", "")))
    return out


def _time(ident: dict) -> float:
    t = ident.get("time")
    if isinstance(t, dict):  # {"value": epoch ms, "dateOnly": false, ...} in some exports
        t = t.get("value")
    return _epoch(t)


def gws_events(activity: dict, *, ref: str = "") -> list[GrantEvent] | SkipReason:
    """The grants and revokes of one token activity; NOT_EVENT when it holds neither."""
    ident = activity.get("id")
    if not isinstance(ident, dict) or not isinstance(activity.get("events"), list):
        return SkipReason.MALFORMED
    if str(ident.get("applicationName") or "token").lower() != "token":
        return SkipReason.NOT_EVENT
    try:
        ts = _time(ident)
    except (ValueError, OverflowError, TypeError):
        return SkipReason.BAD_TIMESTAMP
    actor = activity.get("actor") if isinstance(activity.get("actor"), dict) else {}
    user = str(actor.get("email") or actor.get("profileId") or "")
    out: list[GrantEvent] = []
    for i, event in enumerate(activity["events"]):
        if not isinstance(event, dict):
            continue
        action = ACTIONS.get(str(event.get("name") or "").lower())
        if action is None:
            continue
        p = _params(event)
        client_id = str(p.get("client_id") or "")
        app_name = str(p.get("app_name") or "")
        if not (client_id or app_name):
            continue
        scopes = p.get("scope") or p.get("scope_data") or ()
        if isinstance(scopes, str):
            scopes = scopes.split()
        qualifier = str(ident.get("uniqueQualifier") or "")
        out.append(
            GrantEvent(
                ts=ts,
                source="gws_token",
                action=action,
                app_name=app_name or client_id,
                client_id=client_id or app_name,
                user=user,
                scopes=tuple(sorted({str(s) for s in scopes if s})),
                event_id=f"{qualifier}:{i}" if qualifier else "",
                raw_ref=ref,
            )
        )
    return out or SkipReason.NOT_EVENT


class GwsTokenParser(LineParser):
    """One token activity per line (the API response is split into activities beforehand)."""

    name = "gws_token"
    source_type = "oauth"
    prefilter_safe = False  # grants name apps and client ids, not hosts

    def parse(self, line: str):  # -> list[GrantEvent] | SkipReason
        obj = json_object(line)
        if isinstance(obj, SkipReason):
            return obj
        if isinstance(obj.get("items"), list):  # a one-line API response
            got: list[GrantEvent] = []
            for item in obj["items"]:
                if isinstance(item, dict):
                    r = gws_events(item)
                    if isinstance(r, list):
                        got.extend(r)
            return got or SkipReason.NOT_EVENT
        return gws_events(obj)
