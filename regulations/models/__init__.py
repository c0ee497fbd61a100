"""Regulations models: content versions (immutable once loaded), results, overrides, deadlines."""

from regulations.models.classification import ClassificationResult, ManualOverride
from regulations.models.content import (
    AssessmentTemplate,
    ContentVersion,
    DeadlineSpec,
    Obligation,
    Regime,
    Rule,
    VendorChecklistItem,
)
from regulations.models.deadlines import (
    CalendarToken,
    Deadline,
    ReminderSent,
    SubstantialModification,
)
from regulations.models.org import Organisation

__all__ = [
    "AssessmentTemplate",
    "CalendarToken",
    "ClassificationResult",
    "ContentVersion",
    "Deadline",
    "DeadlineSpec",
    "ManualOverride",
    "Obligation",
    "Organisation",
    "Regime",
    "ReminderSent",
    "Rule",
    "SubstantialModification",
    "VendorChecklistItem",
]
