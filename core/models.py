from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit entries are append-only.")

    def delete(self):
        raise PermissionError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One link of the append-only hash chain: altering any row breaks its own and every later link."""

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,  # the id is hashed: deleting a user must not rewrite entries
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    hash_version = models.PositiveSmallIntegerField(
        default=1, help_text="Which fields the hash covers: 1 before actor_id was hashed, 2 since."
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["target_type", "target_id", "seq"])]
        verbose_name_plural = "audit entries"
        permissions = [("export_data", "Can export data, reports and evidence packs")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries are append-only.")


class ChainHead(models.Model):
    """The single row that writers lock FOR UPDATE, so appends are serialised and the chain never forks."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"head #{self.seq}"


class AuditCheckpoint(models.Model):
    """The chain head (entry count and last hash) signed with the Ed25519 key nobody in the database
    holds: re-hashing the whole chain cannot reproduce it."""

    seq = models.PositiveBigIntegerField(help_text="Entries in the chain when signed.")
    head_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    signature = models.CharField(max_length=128, help_text="Base64 Ed25519 signature.")
    key_fingerprint = models.CharField(max_length=100)

    class Meta:
        ordering = ["-seq", "-pk"]

    def __str__(self) -> str:
        return f"checkpoint at #{self.seq}"


class AccountExpiry(models.Model):
    """An end date for an account (e.g. an external auditor): login fails and sessions end after it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_expiry"
    )
    expires_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "account expiries"

    def __str__(self) -> str:
        return f"{self.user} until {self.expires_at:%Y-%m-%d %H:%M}"


class NotificationKind(models.TextChoices):
    """The e-mails Sightline sends about someone's own work; each can be switched off per user."""

    SUBMITTED = "submitted", "An assessment is submitted for my review"
    RETURNED = "returned", "An assessment of mine is returned for changes"
    APPROVED = "approved", "An assessment of mine is approved"
    FINDING_ASSIGNED = "finding_assigned", "A discovery finding is assigned to me"
    EVIDENCE_EXPIRING = "evidence_expiring", "Vendor evidence I collected is about to expire"
    DEADLINE_DUE = "deadline_due", "A deadline I own is 30, 7 or 1 day away, or overdue"
    REQUEST_DECIDED = (
        "request_decided",
        "An AI-use request of mine is decided, or I am asked about one",
    )


class NotificationPreference(models.Model):
    """A kind of e-mail one user switched off (or back on); no row means the e-mail is sent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="uniq_notification_preference")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}: {'on' if self.enabled else 'off'}"


class OidcIdentity(models.Model):
    """One person at one OpenID provider (issuer, sub): a renamed provider account keeps its user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="uniq_oidc_identity")
        ]
        verbose_name = "single sign-on identity"
        verbose_name_plural = "single sign-on identities"

    def __str__(self) -> str:
        return f"{self.user} · {self.issuer}"
