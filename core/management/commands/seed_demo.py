"""Demo data for `make run`: each app contributes a `<app>/demo.py` with `seed(*, stdout) -> None`."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Order matters: later apps build on earlier ones' rows.
DEMO_APPS = ["core", "inventory", "regulations", "discovery", "assessments", "evidence"]


class Command(BaseCommand):
    help = "Create demo users and data. Idempotent: running it twice changes nothing."

    def handle(self, *args, **options):
        for app in DEMO_APPS:
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError:
                continue
            with transaction.atomic():
                module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
