"""Celery tasks: take ids, load rows, call one service; safe to re-run."""

from __future__ import annotations

import logging

from celery import shared_task

from inventory.models import AISystem
from regulations.services import classification_run
from regulations.services.classification import classification_pending_refresh
from regulations.services.reminders import reminders_send

log = logging.getLogger(__name__)


@shared_task
def classify_system_task(system_id: int) -> int:
    """Queued on system_changed; a no-op when nothing changed."""
    system = AISystem.objects.filter(pk=system_id).first()
    if system is None:
        return 0
    return len(classification_run(system=system))


@shared_task
def classify_all_task() -> int:
    """Queued after new content loads: every system against the versions now current."""
    count = 0
    for system in AISystem.objects.order_by("pk").iterator():
        classification_run(system=system)
        count += 1
    log.info("Re-classified %s system(s).", count)
    return count


@shared_task
def deadline_reminders_task() -> int:
    """Beat: e-mail 30/7/1-day and weekly overdue reminders, once each (recorded)."""
    return reminders_send()


@shared_task
def classification_pending_refresh_task() -> int:
    """Beat, daily: results whose pending start date has come are re-evaluated and audited."""
    count = classification_pending_refresh()
    log.info("Re-evaluated %s system(s) whose pending outcome reached its start date.", count)
    return count
