"""Writes of the regulations app (see the submodules); other apps import from here."""

from regulations.services.classification import (
    classification_override,
    classification_override_withdraw,
    classification_run,
)
from regulations.services.deadlines import (
    deadline_complete,
    deadline_create,
    deadlines_sync_for_system,
    system_record_substantial_modification,
)
from regulations.services.org import organisation_update

__all__ = [
    "classification_override",
    "classification_override_withdraw",
    "classification_run",
    "deadline_complete",
    "deadline_create",
    "deadlines_sync_for_system",
    "organisation_update",
    "system_record_substantial_modification",
]
