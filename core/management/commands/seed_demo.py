"""Demo data for `make run`: each app declares `seed(*, stdout) -> None` as AppConfig.seed_demo."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.extensions import app_hooks


class Command(BaseCommand):
    help = "Create demo users and data. Idempotent: running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--i-know",
            action="store_true",
            help="Seed even with DEBUG off (demo accounts share a published password).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["i_know"]:
            raise CommandError(
                "DEBUG is off: this looks like a real deployment, and the demo accounts share a "
                "published password. Run with --i-know to seed anyway."
            )
        # INSTALLED_APPS order: later apps build on earlier ones' rows.
        for hook in app_hooks("seed_demo"):
            with transaction.atomic():
                hook.target(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
