"""Load the AI catalogue YAML into the database: idempotent by sha256, never deletes a version."""

import hashlib
from pathlib import Path
from typing import Any, TextIO

import yaml
from django.core.management.base import CommandError
from django.db import transaction

from discovery import catalog_files
from discovery.models import CatalogApp, CatalogHost, CatalogVersion


class CatalogError(ValueError):
    """A catalogue file that cannot be loaded; the message names the file and the entry."""


def catalog_paths() -> list[Path]:
    """Every catalogue version in discovery/catalog/, oldest first."""
    return catalog_files()


def _entries(document: Any, name: str) -> list[dict]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in ("apps", "services", "entries", "catalog"):
            if isinstance(document.get(key), list):
                return document[key]
    raise CatalogError(f"{name}: expected a list of apps (or a mapping with an 'apps' list).")


def _as_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogError(f"{where}: expected a list of host names.")
    return [v.strip().lower().rstrip(".") for v in value if v.strip()]


def catalog_parse(path: Path) -> tuple[str, list[dict]]:
    """Validate the whole file before anything is written; returns (version, entries)."""
    name = path.name
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{name}: not valid YAML ({exc}).") from exc
    version = str(document.get("version", path.stem)) if isinstance(document, dict) else path.stem
    seen: set[str] = set()
    entries = []
    for i, entry in enumerate(_entries(document, name)):
        where = f"{name}: apps[{i}]"
        if not isinstance(entry, dict):
            raise CatalogError(f"{where}: expected a mapping.")
        for required in ("key", "name"):
            if not str(entry.get(required) or "").strip():
                raise CatalogError(f"{where}.{required}: missing.")
        key = str(entry["key"]).strip()
        if key in seen:
            raise CatalogError(f"{where}.key: duplicate key {key!r}.")
        seen.add(key)
        for field in ("hosts", "suffixes", "shared_hosts"):
            _as_list(entry.get(field), f"{where}.{field}")
        if entry.get("risk") is not None and not isinstance(entry["risk"], dict):
            raise CatalogError(f"{where}.risk: expected a mapping.")
        entries.append(entry)
    if not entries:
        raise CatalogError(f"{name}: no apps.")
    return version, entries


@transaction.atomic
def catalog_version_load(*, path: Path) -> tuple[CatalogVersion, bool]:
    """One transaction per file; a known hash is a no-op, a known version with a new hash an error."""
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    existing = CatalogVersion.objects.filter(sha256=sha).first()
    if existing:
        return existing, False
    version, entries = catalog_parse(path)
    if CatalogVersion.objects.filter(version=version).exists():
        raise CatalogError(
            f"{path.name}: version {version} is already loaded with different content; "
            "add a new file instead of editing a loaded one."
        )
    cv = CatalogVersion.objects.create(
        version=version, sha256=sha, file_name=path.name, app_count=len(entries)
    )
    apps = CatalogApp.objects.bulk_create(
        [
            CatalogApp(
                version=cv,
                key=str(entry["key"]).strip(),
                name=str(entry["name"]).strip()[:200],
                vendor=str(entry.get("vendor") or "")[:200],
                category=str(entry.get("category") or "")[:60],
                risk=entry.get("risk") or {},
                entry=entry,
            )
            for entry in entries
        ]
    )
    hosts = []
    for app, entry in zip(apps, entries, strict=True):
        for field, kind in (
            ("hosts", CatalogHost.Kind.EXACT),
            ("suffixes", CatalogHost.Kind.SUFFIX),
            ("shared_hosts", CatalogHost.Kind.SHARED),
        ):
            hosts.extend(
                CatalogHost(app=app, host=h[:253], kind=kind)
                for h in _as_list(entry.get(field), "")
            )
    CatalogHost.objects.bulk_create(hosts, batch_size=1000)
    return cv, True


def load_catalog(
    *, check: bool = False, stdout: TextIO | None = None, paths: list[Path] | None = None
) -> None:
    """Called by `manage.py load_content`; with check=True only validates."""
    paths = catalog_paths() if paths is None else paths
    if not paths and stdout:
        stdout.write("No AI catalogue files found.\n")
    for path in paths:
        try:
            if check:
                version, entries = catalog_parse(path)
                if stdout:
                    stdout.write(f"Catalogue {path.name}: OK ({len(entries)} apps).\n")
                continue
            cv, created = catalog_version_load(path=path)
        except CatalogError as exc:
            raise CommandError(str(exc)) from exc
        if stdout:
            state = "loaded" if created else "unchanged"
            stdout.write(
                f"Catalogue {path.name}: {state} (version {cv.version}, {cv.app_count} apps).\n"
            )
