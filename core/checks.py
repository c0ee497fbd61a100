"""`check --deploy` warnings a bank's reviewer would raise: demo accounts left in place, a pack
signing key (or its folder) that other users of the machine can read, and e-mail links with no
real address."""

import stat
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.db import DatabaseError


def _demo_accounts() -> list[str]:
    from django.contrib.auth import get_user_model

    from core.demo import DEMO_PASSWORD, DEMO_USERS

    names = [username for username, *_ in DEMO_USERS]
    found = []
    try:
        users = list(get_user_model().objects.filter(username__in=names, is_active=True))
    except DatabaseError:  # not migrated yet: nothing to warn about
        return []
    for user in users:
        if user.email.endswith("@example.com") or user.check_password(DEMO_PASSWORD):
            found.append(user.get_username())
    return sorted(found)


def _loose(path: Path) -> bool:
    return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)


@checks.register(checks.Tags.security, deploy=True)
def deploy_hygiene_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    if demo := _demo_accounts():
        messages.append(
            checks.Warning(
                f"Demo accounts exist: {', '.join(demo)} (seeded by seed_demo, with a published "
                "password).",
                hint="Deactivate or delete them before going live.",
                id="sightline.W301",
            )
        )
    key = Path(settings.SIGHTLINE_PACK_SIGNING_KEY_PATH)
    if key.is_file() and _loose(key):
        messages.append(
            checks.Warning(
                f"The pack-signing key {key} can be read by other users "
                f"(mode {stat.S_IMODE(key.stat().st_mode):o}).",
                hint=f"chmod 600 {key}",
                id="sightline.W302",
            )
        )
    if key.parent.is_dir() and _loose(key.parent):
        messages.append(
            checks.Warning(
                f"The signing key's folder {key.parent} is not private "
                f"(mode {stat.S_IMODE(key.parent.stat().st_mode):o}).",
                hint=f"chmod 700 {key.parent}",
                id="sightline.W303",
            )
        )
    if not settings.SIGHTLINE_BASE_URL:
        messages.append(
            checks.Warning(
                "SIGHTLINE_BASE_URL is not set, so links in e-mails point to http://localhost:8000.",
                hint="Set SIGHTLINE_BASE_URL to the address people use, e.g. https://sightline.example.org.",
                id="sightline.W304",
            )
        )
    return messages
