from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evidence.manifest import verify_pack
from evidence.signing import load_public_key_pem


class Command(BaseCommand):
    help = "Verify an evidence pack ZIP: manifest signature and every file's sha256."

    def add_arguments(self, parser):
        parser.add_argument("pack", help="Path to the pack .zip")
        parser.add_argument(
            "--public-key",
            help="PEM public key to verify against (default: this server's pack-signing key)",
        )

    def handle(self, *args, **options):
        path = Path(options["pack"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        key = None
        if options.get("public_key"):
            try:
                key = load_public_key_pem(Path(options["public_key"]).read_bytes())
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read public key: {exc}") from exc
        report = verify_pack(path, public_key=key)
        self.stdout.write(f"Pack: {path}")
        self.stdout.write(f"Key fingerprint: {report.key_fingerprint}")
        if report.manifest_sha256:
            self.stdout.write(f"manifest.json sha256: {report.manifest_sha256}")
        self.stdout.write(f"Files checked: {report.checked}")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("VERIFIED: signature valid, every file matches."))
            return
        for problem in report.problems():
            self.stderr.write(f"  {problem}")
        raise CommandError(f"VERIFICATION FAILED: {'; '.join(report.problems())}")
