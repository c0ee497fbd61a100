"""Signals that apps above regulations send to it (assessments may import regulations, not the reverse)."""

from django.dispatch import Signal

# Sent by assessments when a revision is approved, with keyword arguments
# assessment (its pk is the deadline's source), system, template (regulations.AssessmentTemplate),
# actor and approved_on (a date). Regulations schedules the reassessment from the content's cadence.
assessment_approved = Signal()
