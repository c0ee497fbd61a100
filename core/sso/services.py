"""Linking a provider's person to a Sightline user, and setting their roles from the claims."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone

from core.access import account_expired
from core.audit import audit_record
from core.models import OidcIdentity
from core.roles import Role
from core.sso.config import SsoConfig, claim_value, roles_for


class SsoRefused(SuspiciousOperation):
    """The provider vouched for the person, but Sightline will not sign them in (the message says why)."""


def _username(claims: dict[str, Any], config: SsoConfig) -> str:
    for key in (config.username_claim, "preferred_username", "email", "sub"):
        value = claim_value(claims, key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:150]
    raise SsoRefused("The provider sent no user name.")


@transaction.atomic
def sso_user_sync(*, issuer: str, claims: dict[str, Any], groups: set[str], config: SsoConfig):
    """Find or create the user for (issuer, sub) and set their roles to exactly what the claims map to."""
    user_model = get_user_model()
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SsoRefused("The provider sent no subject.")
    link = (
        OidcIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if link is not None:
        user = link.user
    else:
        username = _username(claims, config)
        user = user_model.objects.filter(username=username).first()
        if user is not None and (
            user.is_superuser
            or username == getattr(settings, "SIGHTLINE_BREAK_GLASS_USER", "")
            or OidcIdentity.objects.filter(user=user).exists()
        ):
            raise SsoRefused(
                f"The Sightline account {username!r} cannot be used with single sign-on. "
                "Ask an administrator."
            )
        if user is None:
            user = user_model.objects.create_user(username, email=claims.get("email") or "")
            audit_record(
                actor=user,
                action="account.sso_create",
                target=user,
                changes={"username": [None, username], "issuer": [None, issuer]},
            )
        link = OidcIdentity.objects.create(user=user, issuer=issuer, subject=subject)
        audit_record(
            actor=user,
            action="account.sso_link",
            target=user,
            changes={"issuer": [None, issuer], "subject": [None, subject]},
        )
    if not user.is_active or account_expired(user):
        raise SsoRefused("This Sightline account is deactivated or has expired.")

    profile = {
        "email": claims.get("email"),
        "first_name": claims.get("given_name"),
        "last_name": claims.get("family_name"),
    }
    changes: dict[str, list] = {}
    for name, value in profile.items():
        if isinstance(value, str) and value != getattr(user, name):
            changes[name] = [getattr(user, name), value[:150]]
            setattr(user, name, value[:150])

    wanted = roles_for(groups, config.role_map)
    current = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    if user.is_superuser:
        current.add(Role.ADMIN)  # a superuser made in the admin loses that too, unless mapped
    if wanted != current:
        user.groups.remove(*Group.objects.filter(name__in=current - wanted))
        user.groups.add(*Group.objects.filter(name__in=wanted - current))
        changes["roles"] = [sorted(current), sorted(wanted)]
    # Roles come from the provider alone: admin is the only one with the Django admin.
    staff = Role.ADMIN in wanted
    if user.is_staff != staff or user.is_superuser:
        changes["is_staff"] = [user.is_staff, staff]
        user.is_staff, user.is_superuser = staff, False
    if changes:
        user.save()
        audit_record(actor=user, action="account.sso_sync", target=user, changes=changes)
    OidcIdentity.objects.filter(pk=link.pk).update(last_login_at=timezone.now())
    user.__dict__.pop("_sightline_roles", None)  # core.roles caches roles on the object
    return user
