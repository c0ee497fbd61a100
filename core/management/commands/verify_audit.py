"""`manage.py verify_audit`: exit 0 if the hash chain holds, 1 with the first broken entry if not."""

from django.core.management.base import BaseCommand, CommandError

from core.audit import audit_verify
from core.audit_checkpoint import checkpoints_verify


class Command(BaseCommand):
    help = (
        "Verify the audit hash chain; report the first broken entry and exit non-zero if altered."
    )

    def handle(self, *args, **options):
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"Audit chain BROKEN at entry #{result.broken_seq}: {result.reason} "
                f"({result.checked} entries before it verified)."
            )
        signed = checkpoints_verify()
        if not signed.ok:
            raise CommandError(
                f"Audit chain BROKEN: signed checkpoint check failed: {signed.reason}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain verified: {result.checked} entries intact, "
                f"{signed.checked} signed checkpoint(s) hold."
            )
        )
