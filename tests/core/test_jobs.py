"""The watchdog is scheduled, and a task whose worker died goes back to the queue."""

from django.conf import settings

from sightline.celery import app


def test_the_watchdog_runs_from_the_one_beat_schedule_at_least_twice_per_window():
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if "watchdog" in e["task"]]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["schedule"] <= settings.SIGHTLINE_WATCHDOG_MINUTES * 60 / 2


def test_tasks_are_acknowledged_late_and_rejected_back_to_the_queue_when_the_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
