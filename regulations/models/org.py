"""The organisation profile: thresholds that are facts about us, not about one system."""

from django.core.exceptions import ValidationError
from django.db import models


class OrgKind(models.TextChoices):
    PRIVATE = "private", "Private company"
    EU_PUBLIC_BODY = "eu_public_body", "EU public-law body"
    PRIVATE_PUBLIC_SERVICE = "private_public_service", "Private provider of public services"
    STATE_AGENCY = "state_agency", "US state agency"
    HIGHER_ED = "higher_ed", "Higher-education institution"
    LOCAL_GOVERNMENT = "local_government", "Local government"


BUSINESS_JURISDICTIONS = [
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("MD", "Maryland"),
    ("CA", "California"),
    ("EU", "European Union"),
]


def validate_jurisdictions(value) -> None:
    allowed = {code for code, _ in BUSINESS_JURISDICTIONS}
    if not isinstance(value, list) or not set(value) <= allowed:
        raise ValidationError(f"Expected a list of {', '.join(sorted(allowed))}.")


class Organisation(models.Model):
    """Singleton (pk=1) so every classification reads the same org facts."""

    name = models.CharField(max_length=200, default="Our organisation")
    org_kind = models.CharField(max_length=30, choices=OrgKind.choices, default=OrgKind.PRIVATE)
    employees = models.PositiveIntegerField(default=0)
    annual_revenue_usd = models.PositiveBigIntegerField(default=0)
    consumers_personal_data = models.PositiveIntegerField(
        default=0, help_text="Consumers whose personal data we process per year."
    )
    consumers_sensitive_data = models.PositiveIntegerField(
        default=0, help_text="Consumers whose sensitive personal data we process per year."
    )
    revenue_share_from_selling_data = models.FloatField(
        default=0.0, help_text="Share of revenue from selling or sharing personal data (0 to 1)."
    )
    does_business_in = models.JSONField(
        default=list, blank=True, validators=[validate_jurisdictions]
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not 0 <= self.revenue_share_from_selling_data <= 1:
            raise ValidationError(
                {"revenue_share_from_selling_data": "Enter a share between 0 and 1."}
            )

    @classmethod
    def get(cls) -> "Organisation":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    def facts(self) -> dict:
        """The org dict the engine reads (interfaces item 3)."""
        return {
            "org_kind": self.org_kind,
            "employees": int(self.employees),
            "annual_revenue_usd": int(self.annual_revenue_usd),
            "consumers_personal_data": int(self.consumers_personal_data),
            "consumers_sensitive_data": int(self.consumers_sensitive_data),
            "revenue_share_from_selling_data": float(self.revenue_share_from_selling_data),
            "does_business_in": sorted(self.does_business_in),
        }
