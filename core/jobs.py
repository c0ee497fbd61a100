"""Background jobs that never sit "queued" or "running" for good.

A worker killed with SIGKILL never acknowledges its task, and Redis hands the task out again only
after its visibility timeout (an hour). So each job stamps a heartbeat while it works, and a beat
watchdog fails a job whose heartbeat is older than SIGHTLINE_WATCHDOG_MINUTES, with a retry
action. A broker that refuses the job at submit time fails it at once (QueueUnavailable: 503).

Each app declares its jobs on its AppConfig (`jobs`, core.extensions): a list of `JobWatch`.
"""

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from core.extensions import app_hooks

log = logging.getLogger(__name__)

# Submitting waits at most ~1 s for the broker before the page says it is unavailable.
SUBMIT_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.3,
    "interval_max": 0.5,
}
QUEUE_DOWN = (
    "The task queue could not be reached, so this job was not started. It is marked failed; "
    "retry it once the queue is back."
)


class QueueUnavailable(Exception):
    """The broker refused a job; the job was marked failed and can be retried (at ``url``)."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class JobWatch(NamedTuple):
    """One kind of job: when any of them last showed progress, and how to fail the stalled ones.

    ``fail_stalled(cutoff=..., idle=...)`` fails the jobs whose heartbeat is older than
    ``cutoff`` and that a worker had taken (or, with ``idle``, every one still waiting: no job of
    any kind has progressed since ``cutoff``, so no worker is working through the queue)."""

    name: str
    last_heartbeat: Callable[[], dt.datetime | None]
    fail_stalled: Callable[..., int]


def watchdog_window() -> dt.timedelta:
    return dt.timedelta(minutes=float(settings.SIGHTLINE_WATCHDOG_MINUTES))


def watchdog_window_text() -> str:
    """The window in words for a failure message: "6 minutes", "1 minute", "0.1 minutes"."""
    minutes = watchdog_window().total_seconds() / 60
    return f"{minutes:g} minute{'s' if minutes != 1 else ''}"


def task_submit(
    task: Any, *, kwargs: dict, on_fail: Callable[[str], None], url: str = "", **options
) -> None:
    """Sends a task; if the broker is down, ``on_fail(message)`` marks the job failed (retryable)
    and QueueUnavailable is raised, which the pages and the API answer with a 503."""
    try:
        task.apply_async(kwargs=kwargs, retry=True, retry_policy=SUBMIT_RETRY_POLICY, **options)
    except (BrokerError, OSError) as exc:
        log.error("task %s not sent, the broker is unreachable: %s", task.name, exc)
        on_fail(QUEUE_DOWN)
        raise QueueUnavailable(QUEUE_DOWN, url=url) from exc


def jobs_watchdog(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Fails stalled jobs of every app; returns how many of each kind were failed."""
    now = now or timezone.now()
    cutoff = now - watchdog_window()
    watches: list[JobWatch] = [w for hook in app_hooks("jobs") for w in hook.target]
    beats = [b for w in watches if (b := w.last_heartbeat()) is not None]
    idle = not beats or max(beats) < cutoff
    failed = {w.name: w.fail_stalled(cutoff=cutoff, idle=idle) for w in watches}
    if any(failed.values()):
        log.warning("watchdog failed stalled jobs: %s", failed)
    return failed
