"""Deadline instances, sent reminders, calendar tokens and recorded substantial modifications."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from regulations.recurrence import recurrence_words


class Deadline(models.Model):
    """One dated duty for the organisation or one system; done only with a recorded completion."""

    class Kind(models.TextChoices):
        STATUTORY = "statutory", "Statutory date"
        RECURRING = "recurring", "Recurring"
        EVENT = "event", "After an event"
        REASSESSMENT = "reassessment", "Reassessment"
        EVIDENCE_EXPIRY = "evidence_expiry", "Evidence expiry"

    title = models.CharField(max_length=300)
    due_date = models.DateField(db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadlines",
    )
    regime_code = models.CharField(max_length=8, blank=True, db_index=True)
    obligation_key = models.CharField(max_length=160, blank=True)
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=160, blank=True)
    citation = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deadlines",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_url = models.URLField(max_length=500, blank=True)
    completion_note = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    recurrence = models.CharField(
        max_length=300,
        blank=True,
        help_text="rrule or every:P; the next instance follows completion.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["system", "regime_code", "obligation_key", "due_date"])]
        permissions = [("complete_deadline", "Can mark a deadline done")]

    def __str__(self) -> str:
        return f"{self.due_date} {self.title}"

    @property
    def done(self) -> bool:
        return self.completed_at is not None

    def status_on(self, today: dt.date) -> str:
        if self.cancelled_at:
            return "cancelled"
        if self.done:
            return "done"
        return self.due_status(today)

    def due_status(self, today: dt.date) -> str:
        """Where an open deadline stands on `today`: overdue, due in 30 days or upcoming."""
        if self.due_date < today:
            return "overdue"
        if self.due_date <= today + dt.timedelta(days=30):
            return "due_30"
        return "upcoming"

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    @property
    def recurrence_text(self) -> str:
        """'every 3 years', never the stored 'every:P3Y' or rrule."""
        return recurrence_words(self.recurrence)

    @property
    def organisation_wide(self) -> bool:
        return self.system_id is None


class ReminderSent(models.Model):
    """One reminder already e-mailed, so the beat task never sends it twice."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    slot = models.CharField(max_length=40, help_text="e.g. before-30, before-7, overdue-2027-01-08")
    recipient = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "slot", "recipient"], name="uniq_reminder_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} {self.slot} → {self.recipient}"


class CalendarToken(models.Model):
    """Secret for one user's ICS feed; we keep only its hash, so a leak of the DB leaks no feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar token of {self.user}"


class SubstantialModification(models.Model):
    """A recorded substantial modification: starts the 'within N days' clocks of the content."""

    system = models.ForeignKey(
        "inventory.AISystem", on_delete=models.CASCADE, related_name="substantial_modifications"
    )
    description = models.TextField()
    on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.system} modified {self.on}"
