"""Vendor documentation checklists per (vendor, system) and the immutable evidence files behind them."""

from django.conf import settings
from django.db import models


class VendorChecklist(models.Model):
    """The documents one vendor owes us for one system, generated from the regimes that apply."""

    vendor = models.ForeignKey(
        "inventory.Vendor", on_delete=models.PROTECT, related_name="checklists"
    )
    system = models.ForeignKey(
        "inventory.AISystem", on_delete=models.PROTECT, related_name="vendor_checklists"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["vendor__name", "system__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "system"], name="uniq_vendor_system_checklist"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor} · {self.system}"


class EvidenceFile(models.Model):
    """One uploaded version of a document: bytes content-addressed by sha256, row never edited."""

    vendor = models.ForeignKey(
        "inventory.Vendor", on_delete=models.PROTECT, related_name="evidence_files"
    )
    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_files",
    )
    checklist_item = models.ForeignKey(
        "regulations.VendorChecklistItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_files",
    )
    item_status = models.ForeignKey(
        "assessments.ChecklistItemStatus",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="files",
    )
    name = models.CharField(max_length=255, help_text="The uploader's file name, for display.")
    content_type = models.CharField(max_length=120, help_text="Decided by sniffing the bytes.")
    kind = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    effective_date = models.DateField(null=True, blank=True)
    expiry_date = models.DateField(null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("Evidence files are immutable; upload a new version.")
        super().save(*args, **kwargs)


class ChecklistItemStatus(models.Model):
    """Where one checklist item stands: missing until a file arrives, then reviewed, and it may expire."""

    class Status(models.TextChoices):
        MISSING = "missing", "Missing"
        PROVIDED = "provided", "Provided"
        UNDER_REVIEW = "under_review", "Under review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"

    checklist = models.ForeignKey(VendorChecklist, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(
        "regulations.VendorChecklistItem", on_delete=models.PROTECT, related_name="statuses"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.MISSING, db_index=True
    )
    reason = models.TextField(blank=True, help_text="Why it was rejected.")
    current_file = models.ForeignKey(
        EvidenceFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    expiry_deadline_for = models.ForeignKey(
        EvidenceFile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The file whose expiry deadline was already created (so the task runs once).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["checklist", "item__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "item"], name="uniq_checklist_item")
        ]
        permissions = [
            ("upload_evidence", "Can upload vendor evidence files"),
            ("review_evidence", "Can accept or reject vendor evidence"),
        ]

    def __str__(self) -> str:
        return f"{self.checklist} · {self.item.title or self.item.key}: {self.status}"
