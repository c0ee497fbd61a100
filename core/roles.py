"""Roles are groups; each app declares which permissions each role holds (AppConfig.roles)."""

from django.contrib.auth.models import Group, Permission
from django.db import models

from core.extensions import app_hooks


class Role(models.TextChoices):
    COMPLIANCE_OFFICER = "compliance_officer", "Compliance officer"
    PROCUREMENT = "procurement", "Procurement"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "Admin"
    REQUESTER = "requester", "Requester"


def role_permissions() -> dict[str, set[str]]:
    """Merge every app's PERMISSIONS mapping (role -> ["app_label.codename", ...])."""
    merged: dict[str, set[str]] = {role: set() for role in Role.values}
    for hook in app_hooks("roles"):
        for role, perms in hook.target.items():
            merged[role].update(perms)
    return merged


def sync_roles(**kwargs) -> None:
    """Create the role groups and set their permissions exactly as declared (run after migrate)."""
    for role, perms in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for perm in sorted(perms):
            app_label, codename = perm.split(".", 1)
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found:
                wanted.append(found)
        if role == Role.ADMIN:
            wanted = list(Permission.objects.all())
        group.permissions.set(wanted)


def user_roles(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_sightline_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) & set(Role.values)
        if user.is_superuser:
            cached.add(Role.ADMIN)
        user._sightline_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def is_reader(user) -> bool:
    """Every role but Requester may read everything; writes are decided by permissions.

    A Requester may only file AI-use requests and see their own (programme app)."""
    return bool(user_roles(user) - {Role.REQUESTER})


PERMISSIONS = {
    Role.COMPLIANCE_OFFICER: ["core.export_data"],
    Role.AUDITOR: ["core.export_data"],
}
