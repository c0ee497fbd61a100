import os

from django.core.management.base import BaseCommand

from core.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo login for each role."

    def handle(self, *args, **options):
        port = os.environ.get("PORT", "8000")
        self.stdout.write(f"\nSightline is starting at http://127.0.0.1:{port}\n")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {role.label:<20} {username}")
        self.stdout.write("")
