"""Stored classification results (one row per change) and officers' manual overrides."""

from django.conf import settings
from django.db import models

from regulations.models.content import ContentVersion, Regime


class RiskTier(models.TextChoices):
    PROHIBITED = "prohibited", "Prohibited"
    HIGH = "high", "High risk"
    LIMITED = "limited", "Limited (transparency)"
    MINIMAL = "minimal", "Minimal"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class ClassificationResult(models.Model):
    """What one content version said about one system's facts; a new row only when something changed."""

    system = models.ForeignKey(
        "inventory.AISystem", on_delete=models.CASCADE, related_name="classification_results"
    )
    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="results")
    content_version = models.ForeignKey(
        ContentVersion, on_delete=models.PROTECT, related_name="results"
    )
    inputs_hash = models.CharField(max_length=64)
    inputs = models.JSONField(default=dict, help_text="The facts and org profile evaluated.")
    evaluated_on = models.DateField(help_text="The date the content was evaluated for.")
    applies = models.BooleanField()
    roles = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=120)
    outcome_label = models.CharField(max_length=300)
    risk_tier = models.CharField(max_length=20, choices=RiskTier.choices)
    high_risk = models.BooleanField(default=False)
    pending_from = models.DateField(
        null=True,
        blank=True,
        db_index=True,
        help_text="The outcome's legal start date while it is after evaluated_on; the daily task "
        "re-evaluates once it is reached.",
    )
    next_change_on = models.DateField(
        null=True, blank=True, db_index=True,
        help_text="The first later date at which the outcome or its duties can change by time alone "
        "(a start date, an end date); the daily task re-evaluates on it.",
    )  # fmt: skip
    headline = models.CharField(
        max_length=400, blank=True, help_text="One plain sentence: outcome, start date, why, law."
    )
    triggered_obligations = models.JSONField(default=list, blank=True)
    rationale = models.JSONField(default=list, blank=True)
    details = models.JSONField(
        default=dict,
        blank=True,
        help_text="Engine extras: obligations with start dates, templates, checklist, deadlines.",
    )
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        indexes = [models.Index(fields=["system", "regime", "-computed_at"])]
        permissions = [
            ("classify_system", "Can re-run the classification of a system"),
            ("override_classification", "Can record a manual classification override"),
        ]

    def __str__(self) -> str:
        return f"{self.system} · {self.regime.code}: {self.outcome_label}"


class ManualOverride(models.Model):
    """An officer's recorded disagreement with a computed result: shown beside it, never replacing it."""

    system = models.ForeignKey(
        "inventory.AISystem", on_delete=models.CASCADE, related_name="classification_overrides"
    )
    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="overrides")
    result = models.ForeignKey(
        ClassificationResult, on_delete=models.PROTECT, related_name="overrides"
    )
    outcome_label = models.CharField(max_length=300)
    risk_tier = models.CharField(max_length=20, choices=RiskTier.choices)
    high_risk = models.BooleanField(default=False)
    justification = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Override {self.system} · {self.regime.code}: {self.outcome_label}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
