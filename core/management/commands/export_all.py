"""Back up everything: all rows (exact timestamps) and stored files, with a manifest of sha256s."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.backup import backup_export


class Command(BaseCommand):
    help = "Write a full backup into PATH (a new or empty directory)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            summary = backup_export(path=path)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Backed up {sum(summary.rows.values())} rows in {len(summary.rows)} tables and "
            f"{summary.files} files ({summary.bytes} bytes) to {path}."
        )
