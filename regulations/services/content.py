"""Loading version files: validate everything first, then one transaction per file, never delete."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from core.audit import audit_record
from regulations import schema
from regulations.models import (
    AssessmentTemplate,
    ContentVersion,
    DeadlineSpec,
    Obligation,
    Regime,
    Rule,
    VendorChecklistItem,
)

CONTENT_DIR = Path(settings.BASE_DIR) / "regulations" / "content"


class ContentLoadError(Exception):
    """A version file cannot be loaded; the message names the file."""


@dataclass
class FileOutcome:
    path: Path
    regime: str
    version: str
    status: str  # "loaded", "unchanged", "valid"
    sha256: str


def content_files(content_dir: Path | None = None) -> list[Path]:
    root = Path(content_dir or CONTENT_DIR)
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob("*/*.y*ml") if p.suffix in {".yaml", ".yml"})


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def version_dump(version_obj: Any) -> dict:
    return version_obj.model_dump(mode="json")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("section") or value.get("text") or value.get("title") or "")
    return str(value)


def _citation(item: dict) -> tuple[str, str]:
    """Content may give a citation as text plus `url`, or as {section, url}."""
    cite = item.get("citation")
    url = item.get("url") or ""
    if isinstance(cite, dict):
        url = url or cite.get("url") or ""
        cite = cite.get("section") or cite.get("text") or ""
    if not url:
        for source in item.get("sources") or []:
            if isinstance(source, dict) and source.get("url"):
                url = source["url"]
                break
            if isinstance(source, str) and source.startswith("http"):
                url = source
                break
    return str(cite or ""), str(url or "")[:500]


def _confidence(item: dict) -> str:
    """`unresolved: true` (sources conflict) outranks the nominal level: it shows as unverified."""
    if item.get("unresolved"):
        return "UNRESOLVED"
    return _text(item.get("confidence"))[:20]


def _common(item: dict, position: int) -> dict:
    cite, url = _citation(item)
    return {
        "key": str(item.get("id") or item.get("key") or f"item-{position}")[:160],
        "title": _text(item.get("title") or item.get("name") or item.get("duty"))[:300],
        "citation": cite[:300],
        "url": url,
        "confidence": _confidence(item),
        "data": item,
        "position": position,
    }


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def cadence_text(cadence: Any) -> str:
    """Readable cadence: [{kind: within_days_of_substantial_modification, days: 90}] -> 'within 90 days…'."""
    if isinstance(cadence, str):
        return cadence
    parts = []
    for c in cadence or []:
        if not isinstance(c, dict):
            parts.append(str(c))
            continue
        kind = str(c.get("kind") or "")
        if kind == "within_days_of_substantial_modification":
            parts.append(f"within {c.get('days')} days of a substantial modification")
        else:
            parts.append(kind.replace("_", " "))
    return "; ".join(parts)


def _cadence_dues(cadence: Any) -> str:
    if isinstance(cadence, list):
        return "; ".join(str(c.get("due")) for c in cadence if isinstance(c, dict) and c.get("due"))
    return ""


def _derive_rows(cv: ContentVersion, data: dict) -> None:
    """Rows per rule/obligation/... so pages and diffs can query them; `data` keeps the full item."""
    Rule.objects.bulk_create(
        Rule(content_version=cv, explanation=_text(item.get("explanation")), **_common(item, i))
        for i, item in enumerate(data.get("rules") or [])
    )
    Obligation.objects.bulk_create(
        Obligation(
            content_version=cv,
            description=_text(item.get("what") or item.get("description")),
            owed_by=list(item.get("who") or item.get("owed_by") or []),
            cadence=cadence_text(item.get("cadence"))[:200],
            due=_cadence_dues(item.get("cadence"))[:200],
            retention=_text(item.get("retention"))[:200],
            assessment_template=_text(item.get("assessment_template"))[:160],
            **_common(item, i),
        )
        for i, item in enumerate(data.get("obligations") or [])
    )
    DeadlineSpec.objects.bulk_create(
        DeadlineSpec(
            content_version=cv,
            date=_date(item.get("date")),
            rrule=_text(item.get("rrule"))[:300],
            obligations=list(item.get("obligations") or []),
            **_common(item, i),
        )
        for i, item in enumerate(data.get("deadlines") or [])
    )
    AssessmentTemplate.objects.bulk_create(
        AssessmentTemplate(
            content_version=cv,
            kind=_text(item.get("kind"))[:20],
            status=_text(item.get("status"))[:20],
            sections=item.get("sections") or [],
            **_common(item, i),
        )
        for i, item in enumerate(data.get("templates") or [])
    )
    VendorChecklistItem.objects.bulk_create(
        VendorChecklistItem(
            content_version=cv,
            description=_text(item.get("description")),
            applies_when=item.get("applies_when"),
            **_common(item, i),
        )
        for i, item in enumerate(data.get("vendor_checklist") or [])
    )


def content_validate(paths: list[Path]) -> tuple[list[tuple[Path, Any, str]], list[str]]:
    """Parse every file; return (path, RegimeVersion, sha) for the valid ones and the errors."""
    parsed, errors = [], []
    for path in paths:
        try:
            parsed.append((path, schema.load_version_file(path), file_sha256(path)))
        except schema.ContentError as exc:
            errors.append(str(exc) if str(path.name) in str(exc) else f"{path}: {exc}")
        except Exception as exc:  # noqa: BLE001 - any unreadable file is a named, clear error
            errors.append(f"{path}: {type(exc).__name__}: {exc}")
    return parsed, errors


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(path)


@transaction.atomic
def content_version_load(*, path: Path, version_obj: Any, sha256: str) -> FileOutcome:
    """Load one validated file; identical content is a no-op, changed content is an error."""
    data = version_dump(version_obj)
    code, version = str(data["regime"]), str(data["version"])
    existing = ContentVersion.objects.filter(regime__code=code, version=version).first()
    if existing is not None:
        if existing.sha256 == sha256:
            return FileOutcome(path, code, version, "unchanged", sha256)
        raise ContentLoadError(
            f"{_display_path(path)}: version {code}/{version} is already loaded with different "
            f"content (sha256 {existing.sha256[:12]}…, file now {sha256[:12]}…). A loaded version "
            "is immutable: put the change in a new version file."
        )
    regime, _ = Regime.objects.get_or_create(
        code=code, defaults={"name": data.get("regime_name") or code.upper()}
    )
    cv = ContentVersion.objects.create(
        regime=regime,
        version=version,
        file_path=_display_path(path),
        sha256=sha256,
        status=str(data.get("status") or ""),
        effective_from=_date(data.get("effective_from")),
        effective_to=_date(data.get("effective_to")),
        superseded_by=_text(data.get("superseded_by"))[:80],
        litigation_status=_text(data.get("litigation_status"))[:200],
        preemption_notes=_text(data.get("preemption_notes")),
        sources=data.get("sources") or [],
        data=data,
    )
    _derive_rows(cv, data)
    _regime_refresh(regime)
    audit_record(
        actor=None,
        action="content_version.load",
        target=cv,
        changes={
            "sha256": [None, sha256],
            "file": [None, cv.file_path],
            "status": [None, cv.status],
        },
    )
    return FileOutcome(path, code, version, "loaded", sha256)


def _regime_refresh(regime: Regime) -> None:
    """The regime's headline name and litigation status follow its newest version."""
    newest = regime.versions.order_by("-effective_from", "-loaded_at").first()
    if newest is None:
        return
    regime.name = newest.data.get("regime_name") or regime.name
    regime.litigation_status = newest.litigation_status
    regime.preemption_notes = newest.preemption_notes
    regime.save(update_fields=["name", "litigation_status", "preemption_notes", "updated_at"])


@lru_cache(maxsize=64)
def _rebuild(pk: int, sha256: str) -> Any:
    cv = ContentVersion.objects.get(pk=pk)
    return schema.RegimeVersion.model_validate(cv.data)


def content_version_model(cv: ContentVersion) -> Any:
    """The pydantic RegimeVersion again, from the stored JSON (immutable, so cached by sha)."""
    return _rebuild(cv.pk, cv.sha256)
