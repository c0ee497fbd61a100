from django.apps import AppConfig

REMINDER_BEAT_ENTRY = {
    "task": "regulations.tasks.deadline_reminders_task",
    "schedule": 3600.0,  # hourly; each reminder slot is sent once (regulations.ReminderSent)
}


class RegulationsConfig(AppConfig):
    name = "regulations"
    verbose_name = "Regulations"

    def ready(self) -> None:
        from django.conf import settings

        from inventory.signals import system_changed
        from regulations.receivers import on_system_changed

        system_changed.connect(on_system_changed, dispatch_uid="regulations.classify_on_change")
        # Beat reads CELERY_BEAT_SCHEDULE after apps are ready; the entry lives with its task.
        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            schedule.setdefault("regulations-deadline-reminders", REMINDER_BEAT_ENTRY)
