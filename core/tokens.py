"""API tokens: created, listed and revoked by their owner; a new password or a deactivated account
revokes them all. Only knox's SHA-512 digest and a short prefix are ever stored."""

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from knox.models import AuthToken

from core.audit import audit_record

TARGET = "knox.authtoken"


def _repr(token_key: str) -> str:
    return f"API token {token_key}…"


@transaction.atomic
def api_token_create(*, user) -> tuple[AuthToken, str]:
    """The full token is returned once, here; the database keeps its digest and prefix."""
    row, token = AuthToken.objects.create(user=user)
    audit_record(
        actor=user,
        action="api_token.create",
        target_type=TARGET,
        target_repr=_repr(row.token_key),
        changes={"token_key": [None, row.token_key], "expiry": [None, row.expiry.isoformat()]},
    )
    return row, token


def api_token_list(*, user) -> QuerySet[AuthToken]:
    """The owner's unexpired tokens, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


@transaction.atomic
def api_token_revoke(*, actor, token_key: str) -> int:
    """Only the owner's own tokens; 0 when there is nothing of theirs by that prefix."""
    rows = AuthToken.objects.filter(user=actor, token_key=token_key)
    deleted, _ = rows.delete()
    if deleted:
        audit_record(
            actor=actor,
            action="api_token.revoke",
            target_type=TARGET,
            target_repr=_repr(token_key),
            changes={"token_key": [token_key, None]},
        )
    return deleted


def api_tokens_revoke_all(*, user, reason: str) -> int:
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    if deleted:
        audit_record(
            actor=user,
            action="api_token.revoke_all",
            target_type=TARGET,
            target_repr=f"API tokens of {user.get_username()}",
            changes={"revoked": [None, deleted], "reason": [None, reason]},
        )
    return deleted


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="core.tokens.revoke_on_change")
def _revoke_on_password_or_deactivation(sender, instance, update_fields=None, **kwargs) -> None:
    """A new password or a deactivated account ends every API token (last_login saves skip this)."""
    if instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return
    before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    # set_password() keeps the raw password until save; a login's silent re-hash (new hasher
    # settings) clears it first, so that upgrade is not a change of password.
    changed = before["password"] != instance.password and (
        getattr(instance, "_password", None) is not None or not instance.has_usable_password()
    )
    if changed:
        api_tokens_revoke_all(user=instance, reason="password changed")
    elif before["is_active"] and not instance.is_active:
        api_tokens_revoke_all(user=instance, reason="account deactivated")
