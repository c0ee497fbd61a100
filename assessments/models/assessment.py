"""An assessment of one system against one content template, its revisions and reviewers' comments."""

from django.conf import settings
from django.db import models


class Assessment(models.Model):
    """The workflow record; the answers live in revisions, the newest of which is the working copy."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    EDITABLE = (State.DRAFT, State.RETURNED)

    system = models.ForeignKey(
        "inventory.AISystem", on_delete=models.PROTECT, related_name="assessments"
    )
    template = models.ForeignKey(
        "regulations.AssessmentTemplate", on_delete=models.PROTECT, related_name="assessments"
    )
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    current_revision = models.PositiveIntegerField(default=1)
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every write, for optimistic concurrency."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Set on a second assessment that a race once created; the first one is open.",
    )

    class Meta:
        ordering = ["-updated_at", "-pk"]
        permissions = [("approve_assessment", "Can approve or return an assessment in review")]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "template"],
                condition=models.Q(duplicate_of__isnull=True),
                name="assessments_one_open_per_system_template",
            )
        ]

    def __str__(self) -> str:
        return f"{self.template.title} · {self.system}"

    @property
    def editable(self) -> bool:
        return self.state in self.EDITABLE

    def revision(self) -> "AssessmentRevision":
        return self.revisions.get(number=self.current_revision)


class AssessmentRevision(models.Model):
    """One numbered set of answers; frozen for good once approved (later edits open the next number)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    answers = models.JSONField(default=dict, blank=True, help_text="{question id: value}")
    answer_versions = models.JSONField(
        default=dict, blank=True, help_text="{question id: int}, the per-field lock version."
    )
    answer_meta = models.JSONField(
        default=dict, blank=True, help_text="{question id: {by, at, prefilled}}"
    )
    attachments = models.JSONField(
        default=dict, blank=True, help_text="{question id: [{sha256, name, size, content_type}]}"
    )
    template_version = models.CharField(max_length=300)
    approval_hash = models.CharField(max_length=64, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="Everyone who wrote an answer or file in, or submitted, this revision: "
        "none of them may approve it (four-eyes).",
    )

    class Meta:
        ordering = ["assessment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="uniq_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · revision {self.number}"

    def save(self, *args, **kwargs):
        if self.pk and type(self).objects.filter(pk=self.pk, approved_at__isnull=False).exists():
            raise PermissionError("An approved revision is immutable; start a new revision.")
        super().save(*args, **kwargs)

    @property
    def approved(self) -> bool:
        return self.approved_at is not None


class QuestionComment(models.Model):
    """A reviewer's note on one question, kept with the revision it was written against."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    revision_number = models.PositiveIntegerField()
    question_id = models.CharField(max_length=160)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="While empty the comment blocks approval."
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["assessment", "question_id"])]

    def __str__(self) -> str:
        return f"Comment on {self.question_id} by {self.author}"
