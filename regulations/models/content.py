"""Regime content as loaded from regulations/content/<regime>/<version>.yaml."""

from django.db import models


class Confidence(models.TextChoices):
    HIGH = "H", "High"
    MEDIUM = "M", "Medium"
    LOW = "L", "Low"
    UNRESOLVED = "UNRESOLVED", "Unresolved"


UNVERIFIED = {"L", "LOW", "UNRESOLVED", "L-M"}


def is_unverified(confidence: str) -> bool:
    """Low-confidence and conflicting-source content must be flagged to users, per the reference."""
    return str(confidence or "").strip().upper() in UNVERIFIED


class Regime(models.Model):
    """One body of law (Colorado, the EU AI Act...); its versions carry the actual rules."""

    code = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=200)
    litigation_status = models.CharField(max_length=200, blank=True)
    preemption_notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name or self.code.upper()


class ContentVersion(models.Model):
    """A loaded version file: immutable, identified by its sha256, never deleted (results cite it)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_FORCE = "in_force", "In force"
        REPEALED = "repealed", "Repealed"
        NEVER_ENACTED = "never_enacted", "Never enacted"
        SUPERSEDED = "superseded", "Superseded"

    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=80)
    file_path = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True)
    superseded_by = models.CharField(max_length=80, blank=True)
    litigation_status = models.CharField(max_length=200, blank=True)
    preemption_notes = models.TextField(blank=True)
    sources = models.JSONField(default=list, blank=True)
    data = models.JSONField(help_text="The parsed, validated version file.")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["regime__code", "effective_from", "version"]
        constraints = [
            models.UniqueConstraint(fields=["regime", "version"], name="uniq_regime_version")
        ]

    def __str__(self) -> str:
        return f"{self.regime.code}/{self.version}"

    @property
    def regime_name(self) -> str:
        return self.data.get("regime_name") or self.regime.name


class ContentItem(models.Model):
    """Common columns of the rows we derive from a version file, for listing and diffing."""

    content_version = models.ForeignKey(ContentVersion, on_delete=models.CASCADE)
    key = models.CharField(max_length=160)
    title = models.CharField(max_length=300, blank=True)
    citation = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=500, blank=True)
    confidence = models.CharField(max_length=20, blank=True)
    data = models.JSONField(default=dict)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["content_version", "position"]

    def __str__(self) -> str:
        return self.key

    @property
    def unverified(self) -> bool:
        return is_unverified(self.confidence)


class Rule(ContentItem):
    """An applicability or classification condition, cited and rated for confidence."""

    content_version = models.ForeignKey(
        ContentVersion, on_delete=models.CASCADE, related_name="rules"
    )
    explanation = models.TextField(blank=True)

    class Meta(ContentItem.Meta):
        constraints = [
            models.UniqueConstraint(fields=["content_version", "key"], name="uniq_rule_key")
        ]


class Obligation(ContentItem):
    """A duty the law puts on someone; triggered per system by the classification."""

    content_version = models.ForeignKey(
        ContentVersion, on_delete=models.CASCADE, related_name="obligations"
    )
    description = models.TextField(blank=True)
    owed_by = models.JSONField(default=list, blank=True)
    cadence = models.CharField(max_length=200, blank=True)
    due = models.CharField(max_length=200, blank=True)
    retention = models.CharField(max_length=200, blank=True)
    assessment_template = models.CharField(max_length=160, blank=True)

    class Meta(ContentItem.Meta):
        constraints = [
            models.UniqueConstraint(fields=["content_version", "key"], name="uniq_obligation_key")
        ]


class DeadlineSpec(ContentItem):
    """A statutory date or recurrence from the content, turned into Deadline rows per system."""

    content_version = models.ForeignKey(
        ContentVersion, on_delete=models.CASCADE, related_name="deadline_specs"
    )
    date = models.DateField(null=True, blank=True)
    rrule = models.CharField(max_length=300, blank=True)
    obligations = models.JSONField(default=list, blank=True)

    class Meta(ContentItem.Meta):
        constraints = [
            models.UniqueConstraint(fields=["content_version", "key"], name="uniq_deadline_key")
        ]


class AssessmentTemplate(ContentItem):
    """A template (assessment, notice or checklist) the assessments app fills in."""

    content_version = models.ForeignKey(
        ContentVersion, on_delete=models.CASCADE, related_name="templates"
    )
    kind = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, blank=True)
    sections = models.JSONField(default=list, blank=True)

    class Meta(ContentItem.Meta):
        constraints = [
            models.UniqueConstraint(fields=["content_version", "key"], name="uniq_template_key")
        ]

    @property
    def regime_code(self) -> str:
        return self.content_version.regime.code


class VendorChecklistItem(ContentItem):
    """A document a developer or provider owes us, per the regime."""

    content_version = models.ForeignKey(
        ContentVersion, on_delete=models.CASCADE, related_name="checklist_items"
    )
    description = models.TextField(blank=True)
    applies_when = models.JSONField(null=True, blank=True)

    class Meta(ContentItem.Meta):
        constraints = [
            models.UniqueConstraint(fields=["content_version", "key"], name="uniq_checklist_key")
        ]
