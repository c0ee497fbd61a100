"""Demo data for `make run`: each app declares `seed(*, stdout) -> None` as AppConfig.seed_demo."""

from django.core.management.base import BaseCommand
from django.db import transaction

from core.extensions import app_hooks


class Command(BaseCommand):
    help = "Create demo users and data. Idempotent: running it twice changes nothing."

    def handle(self, *args, **options):
        # INSTALLED_APPS order: later apps build on earlier ones' rows.
        for hook in app_hooks("seed_demo"):
            with transaction.atomic():
                hook.target(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
