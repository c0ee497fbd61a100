"""Loads programme/content/<kind>/<version>.yaml: validated, stored with its sha256, never changed.

Identical content is a no-op; a known version whose bytes changed is an error naming the file
(a change is a new version); a file that does not validate names its dotted key path.
"""

import hashlib
from pathlib import Path

import yaml
from django.core.management.base import CommandError
from django.db import transaction
from pydantic import ValidationError as PydanticError

from core.audit import audit_record
from programme.content_schema import SCHEMAS
from programme.models import ContentVersion, Control, NoticeTemplate, RightsRule, RiskCategory

CONTENT_DIR = Path(__file__).resolve().parent / "content"


def content_files(root: Path = CONTENT_DIR) -> list[Path]:
    return sorted(p for kind in SCHEMAS for p in (root / kind).glob("*.yaml"))


def parse(path: Path):
    """(parsed file, sha256) or a CommandError naming the file and the bad key."""
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as err:
        raise CommandError(f"{path.name}: not YAML: {err}") from err
    kind = path.parent.name
    try:
        parsed = SCHEMAS[kind].model_validate(data)
    except PydanticError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()
        )
        raise CommandError(f"{kind}/{path.name}: {problems}") from err
    if parsed.version != path.stem:
        raise CommandError(
            f"{kind}/{path.name}: version {parsed.version!r} must equal the file name"
        )
    return parsed, hashlib.sha256(raw).hexdigest()


ROW_MODELS = {
    "risk-sources": RiskCategory,
    "controls": Control,
    "rights": RightsRule,
    "notices": NoticeTemplate,
}


def _rows(parsed, content: ContentVersion) -> None:
    model = ROW_MODELS[parsed.kind]
    model.objects.bulk_create(
        [model(content=content, **item.model_dump(exclude_none=True)) for item in parsed.items]
    )


def load_file(path: Path, *, check: bool = False) -> tuple[ContentVersion | None, bool]:
    """(version, created). `check` validates and compares without writing."""
    parsed, sha = parse(path)
    known = ContentVersion.objects.filter(kind=parsed.kind, version=parsed.version).first()
    if known is not None:
        if known.sha256 != sha:
            raise CommandError(
                f"{parsed.kind}/{path.name}: version {parsed.version} is already loaded with other "
                "content; a change is a new version (a new file)."
            )
        return known, False
    if check:
        return None, False
    with transaction.atomic():
        content = ContentVersion.objects.create(
            kind=parsed.kind,
            version=parsed.version,
            title=parsed.title,
            file_name=f"{parsed.kind}/{path.name}",
            sha256=sha,
        )
        _rows(parsed, content)
        audit_record(
            actor=None,
            action="programme.content_load",
            target=content,
            changes={"sha256": [None, sha], "items": [None, len(parsed.items)]},
        )
    return content, True


def load_programme_content(*, check: bool = False, stdout=None) -> None:
    for path in content_files():
        content, created = load_file(path, check=check)
        if stdout is not None:
            state = "checked" if check else ("loaded" if created else "unchanged")
            stdout.write(f"programme {path.parent.name}/{path.name}: {state}")


def latest(kind: str) -> ContentVersion | None:
    return ContentVersion.objects.filter(kind=kind).order_by("-version", "-pk").first()
