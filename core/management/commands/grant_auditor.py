"""Give an external auditor a read-only, export-only account that stops working after an end date."""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.access import external_auditor_grant


class Command(BaseCommand):
    help = "Create or extend a time-limited auditor account (login fails after --until)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--until", required=True, help="last day of access, YYYY-MM-DD (UTC)")

    def handle(self, *args, username, email, until, **options):
        try:
            day = dt.date.fromisoformat(until)
        except ValueError as exc:
            raise CommandError(f"--until must be YYYY-MM-DD, got {until!r}") from exc
        password = secrets.token_urlsafe(18)
        try:
            user = external_auditor_grant(
                actor="manage.py grant_auditor",
                username=username,
                email=email,
                expires_on=day,
                password=password,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Auditor {user.username} has read-only/export access until {day} 23:59:59 UTC."
        )
        if user.check_password(password):
            self.stdout.write(f"Initial password (give it over a separate channel): {password}")
