"""Signal receivers: keep logic in services; here we only queue work."""

from django.db import transaction

from regulations.services.deadlines import reassessment_schedule
from regulations.tasks import classify_system_task


def on_system_changed(sender, system, actor=None, created=False, **kwargs) -> None:
    """A system's facts changed: re-classify it in the background once the write is committed."""
    system_id = system.pk
    transaction.on_commit(lambda: classify_system_task.delay(system_id))


def on_assessment_approved(
    sender, assessment, system, template, actor, approved_on, **kwargs
) -> None:
    """An approved assessment is due again after the interval its obligation's cadence names."""
    reassessment_schedule(
        actor=actor,
        system=system,
        template=template,
        approved_on=approved_on,
        source_type="assessments.assessment",
        source_id=str(assessment.pk),
        note=f"Scheduled on approval of revision {getattr(assessment, 'current_revision', '')}",
    )
