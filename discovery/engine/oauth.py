"""OAuth scope classes and grant risk (no Django): what data a grant reaches, and how much that
matters for the app that holds it. The mapping is data: discovery/catalog/oauth_scopes.yaml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

SCOPES_FILE = Path(__file__).resolve().parents[1] / "catalog" / "oauth_scopes.yaml"
GOOGLE_PREFIX = "https://www.googleapis.com/auth/"
OTHER = "other"
# The app's catalogue risk level (discovery.risk levels) as a weight; unknown apps weigh medium.
APP_WEIGHTS = {"low": 1, "medium": 2, "high": 3}
# grant risk (1-15) → finding severity: the first floor the risk reaches
SEVERITY_FLOORS = ((12, "high"), (8, "medium"), (4, "low"), (0, "info"))


@lru_cache(maxsize=1)
def scope_table() -> tuple[dict[str, dict], dict[str, str]]:
    """(class → {label, weight}, lower-case scope → class) from oauth_scopes.yaml."""
    data = yaml.safe_load(SCOPES_FILE.read_text(encoding="utf-8"))
    classes = {str(k): dict(v) for k, v in data["classes"].items()}
    scopes: dict[str, str] = {}
    for section in ("google", "microsoft"):
        for scope, cls in (data.get(section) or {}).items():
            if cls not in classes:
                raise ValueError(f"oauth_scopes.yaml: {scope}: unknown class {cls!r}")
            scopes[str(scope).lower()] = cls
    return classes, scopes


def scope_class(scope: str) -> str:
    """Data-access class of a Google scope URL or a Microsoft Graph permission name."""
    s = scope.strip().lower()
    if s.startswith(GOOGLE_PREFIX):
        s = s[len(GOOGLE_PREFIX) :]
    elif s.startswith("https://graph.microsoft.com/"):
        s = s[len("https://graph.microsoft.com/") :]
    return scope_table()[1].get(s, OTHER)


def scope_classes(scopes: list[str] | tuple[str, ...]) -> list[str]:
    """The distinct classes of a grant's scopes, heaviest first (then by name)."""
    classes = scope_table()[0]
    found = {scope_class(s) for s in scopes}
    return sorted(found, key=lambda c: (-int(classes[c]["weight"]), c))


def class_weight(cls: str) -> int:
    return int(scope_table()[0].get(cls, scope_table()[0][OTHER])["weight"])


def class_label(cls: str) -> str:
    return str(scope_table()[0].get(cls, {}).get("label", cls))


def grant_risk(app_level: str, classes: list[str] | tuple[str, ...]) -> int:
    """App catalogue risk weight (low 1, medium 2, high 3) × the heaviest scope class (1-5)."""
    top = max((class_weight(c) for c in classes), default=class_weight(OTHER))
    return APP_WEIGHTS.get(app_level, APP_WEIGHTS["medium"]) * top


def grant_severity(risk: int) -> str:
    """Finding severity of a grant risk: high from 12, medium from 8, low from 4, else info."""
    return next(sev for floor, sev in SEVERITY_FLOORS if risk >= floor)
