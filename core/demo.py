"""Demo users, one per role. Passwords are for local demos only."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core.roles import Role

DEMO_USERS = [
    ("officer", Role.COMPLIANCE_OFFICER, "Olivia", "Officer"),
    ("officer2", Role.COMPLIANCE_OFFICER, "Omar", "Second-Officer"),
    ("buyer", Role.PROCUREMENT, "Priya", "Procurement"),
    ("auditor", Role.AUDITOR, "Arun", "Auditor"),
    ("admin", Role.ADMIN, "Ada", "Admin"),
    ("staff", Role.REQUESTER, "Sam", "Staff"),
]
DEMO_PASSWORD = "sightline-demo"


def seed(*, stdout) -> None:
    User = get_user_model()
    for username, role, first, last in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.ADMIN
            user.is_superuser = role == Role.ADMIN
            user.save()
        user.groups.add(Group.objects.get(name=role))
