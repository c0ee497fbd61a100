"""AI service catalogue matching (exact host, then longest label-boundary suffix) and heuristics.

Heuristics (reference 4.4) never produce silent matches: they return reason codes that become
"possible AI" review items.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass(slots=True)
class App:
    """One catalogue service."""

    key: str
    name: str
    vendor: str
    category: str
    hosts: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    shared_hosts: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()  # P flag: AI use visible only in the URL path on a shared host
    risk: dict = field(default_factory=dict)
    # OAuth identifiers: public client ids (Google) and app ids (Entra), else display-name globs
    oauth_client_ids: tuple[str, ...] = ()
    oauth_names: tuple[str, ...] = ()
    models: tuple[str, ...] = ()  # glob patterns of the model names this service serves
    providers: tuple[str, ...] = ()  # gen_ai.provider.name / LiteLLM provider prefixes


class CatalogError(ValueError):
    """Catalogue file is invalid; the message names the entry."""


class Catalog:
    """Host → app lookup; shared hosts (S flag) never match by suffix."""

    def __init__(self, apps: list[App], *, version: str = "") -> None:
        self.version = version
        self.apps: dict[str, App] = {}
        self.exact: dict[str, str] = {}
        self.suffix: dict[str, str] = {}
        self.path_rules: dict[str, list[tuple[str, str]]] = {}
        self.shared: set[str] = set()
        self.oauth_ids: dict[str, str] = {}
        self.oauth_names: list[tuple[str, str]] = []
        self.model_rules: list[tuple[str, str]] = []
        self.providers: dict[str, str] = {}
        for app in apps:
            if app.key in self.apps:
                raise CatalogError(f"duplicate catalogue key {app.key!r}")
            self.apps[app.key] = app
            for h in app.hosts:
                self.exact.setdefault(h, app.key)
            for s in app.suffixes:
                self.suffix.setdefault(s.lstrip("."), app.key)
            for p in app.paths:
                host, _, prefix = p.partition("/")
                self.path_rules.setdefault(host, []).append(("/" + prefix, app.key))
            self.shared.update(app.shared_hosts)
            for cid in app.oauth_client_ids:
                self.oauth_ids.setdefault(cid.lower(), app.key)
            self.oauth_names.extend((pat.lower(), app.key) for pat in app.oauth_names)
            self.model_rules.extend((pat.lower(), app.key) for pat in app.models)
            for prov in app.providers:
                self.providers.setdefault(prov.lower(), app.key)
        self._cache: dict[str, str | None] = {}

    # construction -----------------------------------------------------------------------
    @classmethod
    def from_entries(cls, entries: list[dict], *, version: str = "") -> Catalog:
        """Build from parsed YAML entries (interface item 5)."""
        apps = []
        for i, e in enumerate(entries):
            if not isinstance(e, dict) or not e.get("key") or not e.get("name"):
                raise CatalogError(f"entry #{i}: needs at least 'key' and 'name'")
            try:
                apps.append(
                    App(
                        key=str(e["key"]),
                        name=str(e["name"]),
                        vendor=str(e.get("vendor") or ""),
                        category=str(e.get("category") or ""),
                        hosts=tuple(h.lower().rstrip(".") for h in e.get("hosts") or ()),
                        suffixes=tuple(s.lower().lstrip(".") for s in e.get("suffixes") or ()),
                        shared_hosts=tuple(h.lower() for h in e.get("shared_hosts") or ()),
                        paths=tuple(p.lower() for p in e.get("paths") or ()),
                        risk=dict(e.get("risk") or {}),
                        oauth_client_ids=tuple(
                            str(i).strip()
                            for i in [
                                *((e.get("oauth") or {}).get("client_ids") or ()),
                                *((e.get("oauth") or {}).get("app_ids") or ()),
                            ]
                        ),
                        oauth_names=tuple(
                            str(n) for n in (e.get("oauth") or {}).get("names") or ()
                        ),
                        models=tuple(str(m) for m in e.get("models") or ()),
                        providers=tuple(str(p) for p in e.get("providers") or ()),
                    )
                )
            except (TypeError, AttributeError) as exc:
                raise CatalogError(f"entry {e.get('key')!r}: {exc}") from exc
        return cls(apps, version=version)

    @classmethod
    def from_yaml(cls, path: str | Path) -> Catalog:
        """Load a catalogue version file; the version is the file stem (e.g. 2026-11)."""
        path = Path(path)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe loader
        entries = data.get("services") if isinstance(data, dict) else data
        if not isinstance(entries, list):
            raise CatalogError(f"{path.name}: expected a list under 'services'")
        try:
            return cls.from_entries(entries, version=path.stem)
        except CatalogError as exc:
            raise CatalogError(f"{path.name}: {exc}") from exc

    # matching ---------------------------------------------------------------------------
    def match(self, host: str) -> str | None:
        """App key for a cleaned host: exact host first, then the longest suffix on a label
        boundary; a host listed as shared only matches exactly."""
        try:
            return self._cache[host]
        except KeyError:
            pass
        key = self.exact.get(host)
        if key is None and host not in self.shared:
            h = host
            while True:
                dot = h.find(".")
                if dot == -1:
                    break
                h = h[dot + 1 :]
                if h in self.shared:
                    break
                key = self.suffix.get(h)
                if key is not None:
                    break
        if len(self._cache) < 200_000:
            self._cache[host] = key
        return key

    def match_path(self, host: str, path: str) -> str | None:
        """P-flag services on shared hosts (bing.com/images/create, huggingface.co/chat)."""
        rules = self.path_rules.get(host)
        if rules and path:
            lp = path.lower()
            for prefix, key in rules:
                if lp.startswith(prefix):
                    return key
        return None

    def oauth_app(self, client_id: str, name: str) -> str:
        """Catalogue app of an OAuth client: its public client/app id, else a display-name
        pattern; '' when neither is known."""
        key = self.oauth_ids.get(client_id.strip().lower())
        if key:
            return key
        lname = name.strip().lower()
        if lname:
            for pattern, app_key in self.oauth_names:
                if fnmatch.fnmatchcase(lname, pattern):
                    return app_key
        return ""

    def model_app(self, *, model: str, provider: str = "", host: str = "") -> str:
        """Catalogue app that served a model call: by provider host, then the provider name
        (or a LiteLLM `provider/model` prefix), then the model-name patterns; '' if unknown.
        A provider host outside the catalogue (a self-hosted OpenAI-compatible server) is
        unknown, whatever the model is called."""
        if host:
            return self.match(host) or ""
        m = model.strip().lower()
        prefix, sep, rest = m.partition("/")
        if sep and prefix in self.providers and not provider:
            provider, m = prefix, rest
        if provider:
            key = self.providers.get(provider.strip().lower())
            if key:
                return key
        if sep and prefix in self.providers:
            m = rest
        for pattern, app_key in self.model_rules:
            if fnmatch.fnmatchcase(m, pattern):
                return app_key
        return ""

    def prefilter_tokens(self) -> list[str]:
        """Literal strings at least one of which occurs in any line this catalogue can match."""
        toks = set(self.exact) | set(self.suffix) | set(self.path_rules)
        return sorted(t for t in toks if t)

    def __len__(self) -> int:
        return len(self.apps)


# Heuristics ------------------------------------------------------------------------------
H1_PATHS = re.compile(
    r"^/(?:v1/(?:chat/completions|completions|responses|messages|embeddings|images/generations"
    r"|audio/transcriptions)|v1beta/models/[^/]+:(?:stream)?generatecontent"
    r"|openai/deployments/[^/]+/(?:chat/)?completions|model/[^/]+/(?:invoke|converse)"
    r"|api/(?:generate|chat)$)",
    re.IGNORECASE,
)
H4_UA = re.compile(
    r"openai-python|openai/js|openai/python|anthropic-|google-genai|litellm|langchain|claude-cli",
    re.IGNORECASE,
)
# A bare "chat" is not a label of its own: live-chat widgets and chat servers are not AI.
H5_LABEL = re.compile(r"gpt|llm|copilot|genai|inference|-ai\b|\bai-")
# Names that never qualify as a possible AI service: local and internal zones, reverse DNS,
# literal addresses and names that spell out a private (RFC 1918) address.
LOCAL_SUFFIXES = (
    ".local",
    ".lan",
    ".internal",
    ".intranet",
    ".corp",
    ".home",
    ".home.arpa",
    ".localdomain",
    ".localhost",
    ".in-addr.arpa",
    ".ip6.arpa",
)
PRIVATE_NAME = re.compile(
    r"(?:^|[^0-9])(?:10(?:[.-]\d{1,3}){3}|192[.-]168(?:[.-]\d{1,3}){2}"
    r"|172[.-](?:1[6-9]|2[0-9]|3[01])(?:[.-]\d{1,3}){2})(?:[^0-9]|$)"
)

HEURISTICS = {
    "H1": "AI API path shape",
    "H2": "POST answered with text/event-stream (SSE)",
    "H4": "AI SDK user agent",
    "H5": "AI-like host label or .ai TLD",
}
# Literal tokens whose absence from a line rules out every heuristic above (prefilter).
HEURISTIC_TOKENS = (
    "/v1/",
    "/v1beta/models/",
    "/openai/deployments/",
    "/model/",
    "/api/generate",
    "/api/chat",
    "text/event-stream",
    "openai",
    "anthropic-",
    "google-genai",
    "litellm",
    "langchain",
    "claude-cli",
    "gpt",
    "llm",
    "copilot",
    "genai",
    "inference",
    "-ai",
    "ai-",
    ".ai",
)


def host_can_be_possible_ai(host: str) -> bool:
    """Local, internal, reverse-DNS and address-literal names are never a possible AI service."""
    h = host.strip().lower().rstrip(".")
    if not h or "." not in h:
        return False  # a single label is a local name
    if h.endswith(LOCAL_SUFFIXES) or h in {"local", "lan", "internal", "localhost"}:
        return False
    try:
        ipaddress.ip_address(h.strip("[]"))
    except ValueError:
        pass
    else:
        return False
    return not PRIVATE_NAME.search(h.split(".", 1)[0])


def heuristics(host: str, path: str, method: str, user_agent: str, mime: str) -> list[str]:
    """Heuristic reason codes for a record whose host is not in the catalogue."""
    if not host_can_be_possible_ai(host):
        return []
    codes = []
    if path and H1_PATHS.match(path):
        codes.append("H1")
    if mime.startswith("text/event-stream") and method == "POST":
        codes.append("H2")
    if user_agent and H4_UA.search(user_agent):
        codes.append("H4")
    if host.endswith(".ai") or H5_LABEL.search(host.rsplit(".", 1)[0] if "." in host else host):
        codes.append("H5")
    return codes
