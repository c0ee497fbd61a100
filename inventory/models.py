from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.deconstruct import deconstructible

from inventory import vocab


@deconstructible
class ChoiceListValidator:
    """Validates a JSON list against a TextChoices vocabulary (migrations can serialise it)."""

    def __init__(self, choices_path: str):
        self.choices_path = choices_path

    def __call__(self, value):
        choices = getattr(vocab, self.choices_path)
        if not isinstance(value, list):
            raise ValidationError("Expected a list.")
        unknown = sorted(set(map(str, value)) - set(choices.values))
        if unknown:
            raise ValidationError(f"Unknown value(s): {', '.join(unknown)}.")

    def __eq__(self, other):
        return isinstance(other, ChoiceListValidator) and other.choices_path == self.choices_path


def validate_choice_list(choices: type[models.TextChoices]) -> ChoiceListValidator:
    return ChoiceListValidator(choices.__name__)


def validate_string_list(value):
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Expected a list of text values.")


class Vendor(models.Model):
    """A company whose AI we buy or use; developers/providers owe us documentation."""

    name = models.CharField(max_length=200, unique=True)
    website = models.URLField(blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    is_ai_developer = models.BooleanField(
        default=True, help_text="Develops or provides the AI (owes developer documentation)."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AISystem(models.Model):
    """An AI system we build, buy or use: the facts here are what the classification engine reads."""

    class Lifecycle(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_DEVELOPMENT = "in_development", "In development"
        IN_USE = "in_use", "In use"
        RETIRED = "retired", "Retired"

    class SanctionStatus(models.TextChoices):
        SANCTIONED = "sanctioned", "Sanctioned"
        UNDER_REVIEW = "under_review", "Under review"
        UNSANCTIONED = "unsanctioned", "Unsanctioned"
        BLOCKED = "blocked", "Blocked"

    class Origin(models.TextChoices):
        DECLARED = "declared", "Declared"
        DISCOVERED = "discovered", "Discovered"

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_systems",
        help_text="Business owner.",
    )
    team = models.CharField(max_length=120, blank=True)
    vendor = models.ForeignKey(
        Vendor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="systems",
        help_text="Empty for in-house systems.",
    )
    models_used = models.JSONField(default=list, blank=True, validators=[validate_string_list])
    model_type = models.CharField(max_length=32, choices=vocab.ModelType.choices)
    lifecycle = models.CharField(
        max_length=20, choices=Lifecycle.choices, default=Lifecycle.PLANNED, db_index=True
    )
    sanction_status = models.CharField(
        max_length=20,
        choices=SanctionStatus.choices,
        default=SanctionStatus.UNDER_REVIEW,
        db_index=True,
    )
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.DECLARED)
    provenance = models.TextField(blank=True)
    roles = models.JSONField(
        default=list, blank=True, validators=[validate_choice_list(vocab.OurRole)],
        help_text="Our role(s) for this system.",
    )  # fmt: skip
    jurisdictions = models.JSONField(
        default=list, blank=True, validators=[validate_choice_list(vocab.Jurisdiction)],
        help_text="Where it is used or whose residents it affects.",
    )  # fmt: skip
    domains = models.JSONField(
        default=list, blank=True, validators=[validate_choice_list(vocab.Domain)]
    )
    decision_role = models.CharField(
        max_length=24, choices=vocab.DecisionRole.choices, default=vocab.DecisionRole.NONE
    )
    human_review = models.BooleanField(
        default=False, help_text="A human reviews outputs before decisions take effect."
    )
    capabilities = models.JSONField(
        default=list, blank=True, validators=[validate_choice_list(vocab.Capability)]
    )
    consumer_facing = models.BooleanField(default=False)
    interacts_with_persons = models.BooleanField(default=False)
    data_categories = models.JSONField(
        default=list, blank=True, validators=[validate_choice_list(vocab.DataCategory)],
        help_text="Personal and sensitive data categories processed.",
    )  # fmt: skip
    profiling = models.BooleanField(default=False)
    basic_software = models.BooleanField(
        default=False, help_text="Non-ML software (calculator, spell-check, firewall...)."
    )
    art6_3_claim = models.BooleanField(
        default=False,
        help_text="Claimed not to materially influence outcomes (EU AI Act Art 6(3)).",
    )
    training_flops = models.FloatField(
        null=True, blank=True, help_text="Training compute in FLOPs, for model developers."
    )
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True, validators=[validate_string_list])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name"])]
        verbose_name = "AI system"

    def __str__(self) -> str:
        return self.name

    @property
    def personal_data(self) -> bool:
        return bool(self.data_categories)

    @property
    def sensitive_data(self) -> bool:
        return bool(set(self.data_categories) & {str(c) for c in vocab.SENSITIVE_DATA})

    def facts(self) -> dict:
        """The facts the classification engine reads, in the vocabulary of the regime content."""
        subjects = set(self.jurisdictions)
        if subjects & set(vocab.EU_MEMBER_STATES):
            subjects.add("EU")
        return {
            "roles": sorted(self.roles),
            "subjects_in": sorted(subjects),
            "domains": sorted(self.domains),
            "decision_role": self.decision_role,
            "human_review": self.human_review,
            "capabilities": sorted(self.capabilities),
            "consumer_facing": self.consumer_facing,
            "interacts_with_persons": self.interacts_with_persons,
            "data_categories": sorted(self.data_categories),
            "personal_data": self.personal_data,
            "sensitive_data": self.sensitive_data,
            "profiling": self.profiling,
            "basic_software": self.basic_software,
            "art6_3_claim": self.art6_3_claim,
            "training_ops": self.training_flops or 0,
            "model_type": self.model_type,
            "lifecycle": self.lifecycle,
        }
