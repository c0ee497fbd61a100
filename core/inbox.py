"""A per-user work inbox assembled from sections that each app declares (AppConfig.inbox).

Core never imports a later app: an app lists its `InboxSection`s in `<app>/inbox.py` and names
them on its AppConfig, so a new kind of work joins the inbox and its badge without touching core.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from core.extensions import app_hooks

ITEMS_SHOWN = 10


@dataclass(frozen=True)
class InboxItem:
    title: str
    url: str
    detail: str = ""
    due: dt.date | None = None
    flag: str = ""  # a short word shown as a badge: "overdue", "returned"…


@dataclass(frozen=True)
class InboxSection:
    """`count(user)` runs at most one query (the navigation badge calls it on every page);
    `items(user, limit)` returns the first `limit` items, newest or most urgent first."""

    key: str
    title: str
    count: Callable[..., int]
    items: Callable[..., list[InboxItem]]
    empty: str
    more_url: str = ""
    order: int = 100


def selector_section(
    *,
    rows: Callable[..., QuerySet],
    item: Callable[[Any], InboxItem],
    listed: Callable[[QuerySet], QuerySet] = lambda qs: qs,
    **section: Any,
) -> InboxSection:
    """A section over one selector: `rows(user=…)` is counted for the badge, and the first items
    are `listed(rows)` (ordered, related rows loaded), each drawn by `item(row)`."""
    return InboxSection(
        count=lambda user: rows(user=user).count(),
        items=lambda user, limit: [item(row) for row in listed(rows(user=user))[:limit]],
        **section,
    )


def inbox_sections() -> list[InboxSection]:
    sections = []
    for hook in app_hooks("inbox"):
        target = hook.target() if callable(hook.target) else hook.target
        sections.extend(target)
    return sorted(sections, key=lambda s: (s.order, s.key))


def inbox_count(user) -> int:
    """The badge: one query per section."""
    return sum(section.count(user) for section in inbox_sections())


@dataclass(frozen=True)
class FilledSection:
    section: InboxSection
    items: list[InboxItem]
    count: int


def inbox_for(user, *, limit: int = ITEMS_SHOWN) -> list[FilledSection]:
    """Each section with its first items; the count is only queried when the list is cut short."""
    filled = []
    for section in inbox_sections():
        items = section.items(user, limit + 1)
        count = len(items) if len(items) <= limit else section.count(user)
        filled.append(FilledSection(section, items[:limit], count))
    return filled
