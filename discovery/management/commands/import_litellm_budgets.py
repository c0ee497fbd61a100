"""`manage.py import_litellm_budgets FILE…`: team and key budgets from a LiteLLM export
(LiteLLM_TeamTable / LiteLLM_VerificationToken rows as JSON) become gateway budgets."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from discovery.services.budgets import litellm_budgets_import

MAX_BYTES = 20 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Read team and key budgets (max_budget per budget_duration, tpm_limit, rpm_limit, "
        "models) from a LiteLLM_TeamTable or LiteLLM_VerificationToken JSON export; a row that "
        "cannot be read is counted and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+")

    def handle(self, *args, paths, **options):
        for raw in paths:
            path = Path(raw)
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path.name} is larger than {MAX_BYTES // 2**20} MB.")
            try:
                result = litellm_budgets_import(
                    actor="manage.py import_litellm_budgets",
                    content=path.read_bytes(),
                    filename=path.name,
                )
            except ValidationError as exc:
                raise CommandError(f"{path.name}: {'; '.join(exc.messages)}") from exc
            self.stdout.write(
                f"{path.name}: {result.rows} row(s): {result.created} new, {result.updated} "
                f"updated, {result.unchanged} unchanged, {result.skipped} skipped"
            )
            for reason, count in sorted(result.reasons.items()):
                self.stdout.write(f"  skipped {count}: {reason}")
            for note in result.notes:
                self.stdout.write(f"  note: {note}")
