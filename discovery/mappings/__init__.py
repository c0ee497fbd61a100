"""Versioned mapping data the usage rules read: team names -> use-case domain hints, and OAuth
data-access classes -> personal-data categories. Both are checked against the inventory
vocabulary when read, so a typo fails loudly instead of proposing a fact nobody can store."""

import functools
import re
from pathlib import Path

import yaml

from inventory import vocab

MAPPINGS_DIR = Path(__file__).resolve().parent
_WORDS = re.compile(r"[a-z0-9]+")


class MappingError(ValueError):
    """A mapping file that names a code the inventory vocabulary does not know."""


def _read(name: str) -> dict:
    document = yaml.safe_load((MAPPINGS_DIR / name).read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not isinstance(document.get("version"), int):
        raise MappingError(f"{name}: expected a mapping with an integer `version`.")
    return document


@functools.cache
def team_domain_hints() -> tuple[int, tuple[tuple[tuple[str, ...], str], ...]]:
    """(version, ((phrase words, domain), ...)), longest phrases first so the most specific wins."""
    document = _read("team_domains.yaml")
    known = set(vocab.Domain.values)
    hints = []
    for entry in document.get("hints") or []:
        domain = entry.get("domain")
        if domain not in known:
            raise MappingError(f"team_domains.yaml: unknown domain {domain!r}.")
        for phrase in entry.get("teams") or []:
            words = tuple(_WORDS.findall(str(phrase).lower()))
            if not words:
                raise MappingError(f"team_domains.yaml: empty team phrase under {domain}.")
            hints.append((words, domain))
    hints.sort(key=lambda h: (-len(h[0]), h[0]))
    return document["version"], tuple(hints)


def domain_for_team(team: str) -> str:
    """The domain a team's name hints at ('' when none does): the phrase must be the name or
    appear in it as whole words."""
    words = _WORDS.findall((team or "").lower())
    for phrase, domain in team_domain_hints()[1]:
        n = len(phrase)
        if any(tuple(words[i : i + n]) == phrase for i in range(len(words) - n + 1)):
            return domain
    return ""


@functools.cache
def scope_class_categories() -> tuple[int, dict[str, tuple[str, ...]]]:
    """(version, {data-access class: data categories})."""
    document = _read("scope_data_categories.yaml")
    known = set(vocab.DataCategory.values)
    out = {}
    for scope_class, categories in (document.get("classes") or {}).items():
        unknown = sorted(set(categories or []) - known)
        if unknown:
            raise MappingError(
                f"scope_data_categories.yaml: {scope_class} names unknown categories {unknown}."
            )
        out[str(scope_class)] = tuple(categories or [])
    return document["version"], out


def data_categories_for(scope_classes: list[str]) -> list[str]:
    """The data categories an app with these scope classes processes, in vocabulary order."""
    mapping = scope_class_categories()[1]
    wanted = {c for sc in scope_classes for c in mapping.get(sc, ())}
    return [c for c in vocab.DataCategory.values if c in wanted]
