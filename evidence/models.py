from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from regulations.selectors import regime_get


class EvidencePack(models.Model):
    """One export for a regulator: its scope, who made it, and the hashes that prove the files unchanged."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    regime = models.CharField(
        max_length=8,
        blank=True,
        help_text="Code of a regime in the loaded content (voluntary frameworks too); empty: all.",
    )
    all_systems = models.BooleanField(default=True)
    systems = models.ManyToManyField("inventory.AISystem", blank=True, related_name="+")
    period_from = models.DateField()
    period_to = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        default=timezone.now,
        db_index=True,
        help_text="Last sign of work on the build (queued, a part laid out); the watchdog fails "
        "a build whose heartbeat is older than SIGHTLINE_WATCHDOG_MINUTES.",
    )
    zip_path = models.CharField(max_length=500, blank=True)
    pdf_path = models.CharField(max_length=500, blank=True)
    zip_sha256 = models.CharField(max_length=64, blank=True)
    zip_size = models.PositiveBigIntegerField(null=True, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_size = models.PositiveBigIntegerField(null=True, blank=True)
    pdf_pages = models.PositiveIntegerField(null=True, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)
    key_fingerprint = models.CharField(max_length=100, blank=True)
    file_count = models.PositiveIntegerField(default=0)
    missing_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Evidence pack #{self.pk} ({self.scope_label})"

    def get_absolute_url(self) -> str:
        return reverse("evidence:pack-detail", kwargs={"pk": self.pk})

    @property
    def regime_label(self) -> str:
        """The regime's name in the content; pack_list() annotates it, otherwise it is looked up."""
        if not self.regime:
            return "All regimes"
        if hasattr(self, "regime_name"):
            name = self.regime_name
        else:
            regime = regime_get(code=self.regime)
            name = regime.name if regime else ""
        return name or self.regime.upper()

    @property
    def scope_label(self) -> str:
        systems = "all systems" if self.all_systems else "selected systems"
        return f"{self.regime_label}, {systems}, {self.period_from} to {self.period_to}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def build_seconds(self) -> float | None:
        if not (self.started_at and self.finished_at):
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 1)

    @property
    def download_name(self) -> str:
        return f"sightline-evidence-pack-{self.pk}"
