from django.core.management.base import BaseCommand

from evidence.signing import ensure_signing_key


class Command(BaseCommand):
    help = "Create the Ed25519 pack-signing key if it does not exist yet (never replaces one)."

    def handle(self, *args, **options):
        status = ensure_signing_key()
        verb = "Created" if status.created else "Using existing"
        self.stdout.write(f"{verb} pack-signing key {status.path}")
        self.stdout.write(f"Public key fingerprint: {status.fingerprint}")
