"""`manage.py load_content [--check]`: load every regime version file, then other apps' content.

Other apps (the discovery catalogue) declare their loaders as AppConfig.content_loaders.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.extensions import app_hooks
from regulations.services.content import (
    ContentLoadError,
    content_files,
    content_validate,
    content_version_load,
)
from regulations.tasks import classify_all_task


class Command(BaseCommand):
    help = "Load regime content versions (idempotent; never deletes). --check validates only."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Validate without writing.")
        parser.add_argument("--content-dir", type=Path, default=None, help=argparse_help())
        parser.add_argument(
            "--no-classify", action="store_true", help="Do not queue re-classification."
        )

    def handle(self, *args, check: bool = False, content_dir=None, no_classify=False, **options):
        paths = content_files(content_dir)
        if not paths:
            self.stdout.write("No regime content files found.")
        else:
            self._load(paths, check=check, classify=not no_classify)
        for hook in app_hooks("content_loaders"):
            hook.target(check=check, stdout=self.stdout)

    def _load(self, paths, *, check: bool, classify: bool) -> None:
        parsed, errors = content_validate(paths)
        if errors:
            raise CommandError(
                f"{len(errors)} invalid content file(s); nothing was loaded:\n" + "\n".join(errors)
            )
        if check:
            for _path, version_obj, _sha in parsed:
                self.stdout.write(
                    f"ok  {version_obj.regime}/{version_obj.version}  "
                    f"{len(version_obj.rules)} rules, {len(version_obj.obligations)} obligations"
                )
            self.stdout.write(self.style.SUCCESS(f"{len(parsed)} content file(s) valid."))
            return
        loaded = 0
        for path, version_obj, sha in parsed:
            try:
                outcome = content_version_load(path=path, version_obj=version_obj, sha256=sha)
            except ContentLoadError as exc:
                raise CommandError(str(exc)) from exc
            loaded += outcome.status == "loaded"
            self.stdout.write(
                f"{outcome.status:9} {outcome.regime}/{outcome.version}  "
                f"{len(version_obj.rules)} rules  sha256 {sha[:12]}"
            )
        self.stdout.write(
            self.style.SUCCESS(f"{loaded} version(s) loaded, {len(parsed) - loaded} unchanged.")
        )
        if loaded and classify:
            classify_all_task.delay()
            self.stdout.write("Queued re-classification of every system.")


def argparse_help() -> str:
    return "Directory holding <regime>/<version>.yaml (default: regulations/content)."
