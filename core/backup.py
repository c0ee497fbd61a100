"""Full backup and restore: every row (exact timestamps, so the audit chain still verifies) plus stored files."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

FORMAT_VERSION = 1
# Rebuilt by migrate, or transient: never restored from a backup.
SKIP_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
SKIP_APPS = {"axes"}
# Files kept under SIGHTLINE_STORAGE_DIR that a restore must bring back.
FILE_TREES = ("blobs", "packs", "keys", "uploads")
# Rows that exist in a freshly migrated database; their presence does not make it "non-empty".
MIGRATE_CREATED = {"auth.group", "django_celery_beat.crontabschedule", "django_celery_beat.intervalschedule",
                   "django_celery_beat.periodictask", "django_celery_beat.periodictasks",
                   "django_celery_beat.solarschedule", "django_celery_beat.clockedschedule"}  # fmt: skip


@dataclass
class BackupSummary:
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0


def _models() -> list:
    """Every concrete model worth restoring, parents before children."""
    app_list = {
        config: None
        for config in apps.get_app_configs()
        if config.label not in SKIP_APPS and config.models_module is not None
    }
    ordered = serializers.sort_dependencies(app_list.items(), allow_cycles=True)
    return [
        m
        for m in ordered
        if m._meta.label_lower not in SKIP_MODELS and not m._meta.proxy and m._meta.managed
    ]


class _ExactEncoder(json.JSONEncoder):
    """Like DjangoJSONEncoder, but datetimes keep their microseconds (the audit hash covers them)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.date | dt.time):
            return o.isoformat()
        if isinstance(o, dt.timedelta):
            return o.total_seconds()
        if isinstance(o, decimal.Decimal | uuid.UUID):
            return str(o)
        return super().default(o)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def backup_export(*, path: Path) -> BackupSummary:
    """Write PATH/data.json, PATH/files/… and PATH/manifest.json (every file with its sha256)."""
    path = Path(path)
    if path.exists() and any(path.iterdir()):
        raise ValidationError(f"{path} exists and is not empty.")
    path.mkdir(parents=True, exist_ok=True)
    summary = BackupSummary()
    with transaction.atomic():  # read everything inside one transaction
        records: list[dict] = []
        for model in _models():
            queryset = model._default_manager.order_by("pk")
            rows = serializers.serialize(
                "python",
                queryset.iterator(chunk_size=2000),
                use_natural_foreign_keys=True,
                use_natural_primary_keys=model._meta.label_lower == "auth.group",
            )
            records.extend(rows)
            summary.rows[model._meta.label_lower] = len(rows)
    with (path / "data.json").open("w", encoding="utf-8") as fh:
        json.dump(records, fh, cls=_ExactEncoder, ensure_ascii=False)
    storage = Path(settings.SIGHTLINE_STORAGE_DIR)
    files = {}
    for tree in FILE_TREES:
        root = storage / tree
        if not root.is_dir():
            continue
        for source in sorted(p for p in root.rglob("*") if p.is_file()):
            rel = source.relative_to(storage).as_posix()
            target = path / "files" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            files[rel] = {"sha256": _sha256(target), "size": target.stat().st_size}
            summary.files += 1
            summary.bytes += files[rel]["size"]
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "data_sha256": _sha256(path / "data.json"),
        "rows": summary.rows,
        "files": files,
    }
    (path / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return summary


def database_is_empty() -> bool:
    """True when no model holds rows beyond what `migrate` itself creates."""
    for model in _models():
        if model._meta.label_lower in MIGRATE_CREATED:
            continue
        if model._default_manager.exists():
            return False
    return True


def _verify(path: Path) -> dict:
    """Check every hash before anything is written; a blob's name must also be its own sha256."""
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise ValidationError(f"{path} has no manifest.json: not a Sightline backup.")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise ValidationError(f"Unsupported backup format {manifest.get('format')!r}.")
    problems = []
    if _sha256(path / "data.json") != manifest["data_sha256"]:
        problems.append("data.json does not match its sha256 in the manifest")
    for rel, meta in manifest["files"].items():
        source = path / "files" / rel
        if not source.is_file():
            problems.append(f"{rel} is missing")
            continue
        actual = _sha256(source)
        if actual != meta["sha256"]:
            problems.append(f"{rel} does not match its sha256 in the manifest")
        elif rel.startswith("blobs/") and Path(rel).name != actual:
            problems.append(f"{rel} is not content-addressed (sha256 {actual})")
    if problems:
        raise ValidationError("Backup failed verification: " + "; ".join(problems[:20]))
    return manifest


def _reset_sequences(models: list) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def backup_import(*, path: Path, replace: bool = False) -> BackupSummary:
    """Restore a backup: verify every hash, then load all rows in one transaction, then the files."""
    path = Path(path)
    manifest = _verify(path)
    if not database_is_empty():
        if not replace:
            raise ValidationError(
                "The database is not empty. Restore into an empty database, or pass --yes to "
                "replace everything in it."
            )
        call_command("flush", interactive=False, verbosity=0)
    with (path / "data.json").open(encoding="utf-8") as fh:
        records = json.load(fh)
    summary = BackupSummary()
    models = _models()
    with transaction.atomic():
        # As loaddata does: rows may reference rows later in the file; check once at the end.
        with connection.constraint_checks_disabled():
            # Groups are recreated by migrate; the backup's rows replace them by name.
            for obj in serializers.deserialize("python", records):
                obj.save()
                label = obj.object._meta.label_lower
                summary.rows[label] = summary.rows.get(label, 0) + 1
        connection.check_constraints(table_names=[m._meta.db_table for m in models])
        _reset_sequences(models)
    expected = {k: v for k, v in manifest["rows"].items() if v}
    if summary.rows != expected:
        raise ValidationError(
            f"Restored row counts {summary.rows} differ from the backup's {expected}."
        )
    storage = Path(settings.SIGHTLINE_STORAGE_DIR)
    for rel, meta in manifest["files"].items():
        target = storage / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or _sha256(target) != meta["sha256"]:
            shutil.copy2(path / "files" / rel, target)
        summary.files += 1
        summary.bytes += meta["size"]
    return summary
