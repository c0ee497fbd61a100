"""E-mail about someone's own work, sent through Django's mail backend after the write commits."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction

from core.audit import audit_record
from core.models import NotificationKind, NotificationPreference

log = logging.getLogger(__name__)


def opted_out(users: Iterable, kind: str) -> set[int]:
    """The ids among `users` who switched `kind` off: one query."""
    ids = [u.pk for u in users if getattr(u, "pk", None)]
    if not ids:
        return set()
    return set(
        NotificationPreference.objects.filter(
            user_id__in=ids, kind=kind, enabled=False
        ).values_list("user_id", flat=True)
    )


def wants(user, kind: str) -> bool:
    return bool(getattr(user, "email", "")) and user.pk not in opted_out([user], kind)


def recipients(users: Iterable, kind: str, *, exclude=None) -> list:
    """Active users with an address who did not switch `kind` off, each once, `exclude` left out."""
    unique = {u.pk: u for u in users if u is not None and getattr(u, "pk", None)}
    if exclude is not None:
        unique.pop(getattr(exclude, "pk", None), None)
    people = [u for u in unique.values() if u.is_active and u.email]
    off = opted_out(people, kind)
    return sorted((u for u in people if u.pk not in off), key=lambda u: u.pk)


def absolute_url(path: str) -> str:
    """A link someone can open from their mail client: the site's base URL and the path."""
    if not path or "://" in path:
        return path
    base = (settings.SIGHTLINE_BASE_URL or "http://localhost:8000").rstrip("/")
    return f"{base}{path if path.startswith('/') else '/' + path}"


def notify(
    *, users: Iterable, kind: str, subject: str, body: str, url: str = "", exclude=None
) -> int:
    """Queue one e-mail per recipient for after the commit; a mail failure never undoes the write.

    Returns how many were queued.
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    people = recipients(users, kind, exclude=exclude)
    if not people:
        return 0
    footer = "\n\nSwitch these e-mails off under Notifications in Sightline."
    text = f"{body}\n\n{absolute_url(url)}{footer}" if url else f"{body}{footer}"

    def send() -> None:
        for user in people:
            try:
                send_mail(f"[Sightline] {subject}", text, settings.DEFAULT_FROM_EMAIL, [user.email])
            except Exception:  # a mail outage is logged; the recorded change stands
                log.exception("Could not send %s notification to user %s", kind, user.pk)

    transaction.on_commit(send)
    return len(people)


def users_with_perm(perm: str):
    """Active users who hold `perm` through a group or directly (reviewers, uploaders)."""
    app_label, codename = perm.split(".", 1)
    User = get_user_model()
    by_group = User.objects.filter(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    )
    direct = User.objects.filter(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app_label
    )
    return (by_group | direct).filter(is_active=True).distinct()


def preferences_of(user) -> dict[str, bool]:
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "enabled"))
    return {kind: stored.get(kind, True) for kind in NotificationKind.values}


@transaction.atomic
def notification_preferences_update(*, actor, enabled: Iterable[str]) -> dict[str, bool]:
    """Store the kinds `actor` wants; every kind not listed is switched off."""
    wanted = set(enabled)
    unknown = wanted - set(NotificationKind.values)
    if unknown:
        raise ValueError(f"Unknown notification kinds: {', '.join(sorted(unknown))}.")
    before = preferences_of(actor)
    after = {kind: kind in wanted for kind in NotificationKind.values}
    for kind, on in after.items():
        NotificationPreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"enabled": on}
        )
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        audit_record(
            actor=actor,
            action="notifications.update",
            target_type="core.notificationpreference",
            target_id=str(actor.pk),
            target_repr=f"E-mail notifications of {actor.get_username()}",
            changes=changes,
        )
    return after
