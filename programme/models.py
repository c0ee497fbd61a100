"""The governance programme: staff asking to use AI tools, and what the officers decided."""

from django.conf import settings
from django.db import models

from inventory import vocab


class AIUseRequest(models.Model):
    """A member of staff asks to use an AI tool; an officer approves (a system enters the
    inventory), approves with conditions or rejects with a reason."""

    class Status(models.TextChoices):
        INVITED = "invited", "Asked to tell us"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
        REJECTED = "rejected", "Rejected"

    DECIDED = (Status.APPROVED, Status.APPROVED_WITH_CONDITIONS, Status.REJECTED)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ai_use_requests"
    )
    tool_name = models.CharField(max_length=200)
    catalog_key = models.CharField(
        max_length=80, blank=True, help_text="The AI catalogue entry the tool was chosen from."
    )
    vendor_name = models.CharField(max_length=200, blank=True)
    purpose = models.TextField(blank=True)
    data_description = models.TextField(blank=True, help_text="What they will put into the tool.")
    data_categories = models.JSONField(default=list, blank=True)
    affected_people = models.TextField(blank=True)
    team = models.CharField(max_length=120, blank=True)
    jurisdictions = models.JSONField(default=list, blank=True)
    domains = models.JSONField(default=list, blank=True)
    decision_role = models.CharField(
        max_length=24, choices=vocab.DecisionRole.choices, default=vocab.DecisionRole.NONE
    )
    status = models.CharField(
        max_length=30, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    conditions = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="use_requests",
    )
    finding = models.ForeignKey(
        "discovery.Finding",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The discovery finding this request was asked from.",
    )
    invitation = models.TextField(blank=True, help_text="What the officer asked, when invited.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("triage_aiuserequest", "Can approve or reject AI-use requests")]

    def __str__(self) -> str:
        return f"AI-use request #{self.pk}: {self.tool_name}"

    @property
    def decided(self) -> bool:
        return self.status in self.DECIDED
