"""The OAuth side of blocking: the client ids (Google) and app ids (Entra) of blocked AI apps,
as a plain list the Workspace and Entra admin consoles can revoke and block by."""

from discovery.models import BlocklistEntry, Finding, OAuthGrant

SOURCE_LABELS = {"gws_token": "Google Workspace", "entra_audit": "Microsoft Entra ID"}


def oauth_blocked_app_keys() -> set[str]:
    """Apps blocked by triage: on the domain blocklist, or an OAuth finding closed as blocked."""
    keys = set(BlocklistEntry.objects.exclude(app_key="").values_list("app_key", flat=True))
    keys |= set(
        Finding.objects.filter(kind=Finding.Kind.OAUTH_APP, state=Finding.State.BLOCKED)
        .exclude(app_key="")
        .values_list("app_key", flat=True)
    )
    return keys


def oauth_blocked_clients() -> list[tuple[str, str, str]]:
    """(client id, app name, source) of every OAuth client seen granted to a blocked app."""
    keys = oauth_blocked_app_keys()
    if not keys:
        return []
    rows = (
        OAuthGrant.objects.filter(app_key__in=keys)
        .values_list("client_id", "app_name", "source")
        .distinct()
        .order_by("client_id", "source", "app_name")
    )
    seen: dict[str, tuple[str, str, str]] = {}
    for client_id, name, source in rows:
        seen.setdefault(client_id, (client_id, name, source))
    return sorted(seen.values())


def export_oauth_client_ids(clients: list[tuple[str, str, str]]) -> str:
    """One client id per line, each with the app's name and console as a comment."""
    lines = ["# Sightline: OAuth client ids of AI apps blocked after triage (revoke and block)."]
    for client_id, name, source in clients:
        lines.append(f"{client_id}  # {name} ({SOURCE_LABELS.get(source, source)})")
    return "\n".join(lines) + "\n"


OAUTH_EXPORT_FILENAME = "sightline-blocked-oauth-client-ids.txt"
