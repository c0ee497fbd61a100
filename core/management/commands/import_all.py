"""Restore a backup made by export_all: hashes are verified before anything is written."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_verify
from core.backup import backup_import


class Command(BaseCommand):
    help = "Restore PATH into an empty database (or replace a non-empty one with --yes)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="erase a non-empty database before restoring"
        )

    def handle(self, *args, path: Path, yes: bool, **options):
        try:
            summary = backup_import(path=path, replace=yes)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        chain = audit_verify()
        self.stdout.write(
            f"Restored {sum(summary.rows.values())} rows and {summary.files} files from {path}. "
            f"Audit chain: {'intact' if chain.ok else 'BROKEN: ' + chain.reason} "
            f"({chain.checked} entries)."
        )
        if not chain.ok:
            raise CommandError("The restored audit chain does not verify.")
