"""Signal receivers: keep logic in services; here we only queue work."""

from django.db import transaction

from regulations.tasks import classify_system_task


def on_system_changed(sender, system, actor=None, created=False, **kwargs) -> None:
    """A system's facts changed: re-classify it in the background once the write is committed."""
    system_id = system.pk
    transaction.on_commit(lambda: classify_system_task.delay(system_id))
