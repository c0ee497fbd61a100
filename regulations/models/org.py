"""The organisation profile: thresholds that are facts about us, not about one system."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
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


class BusinessStatus(models.TextChoices):
    """CCPA: only a for-profit business owes the ADMT and risk-assessment rules itself."""

    FOR_PROFIT = "for_profit", "For-profit business"
    NONPROFIT = "nonprofit", "Nonprofit"
    SERVICE_PROVIDER = "service_provider", "Service provider or contractor to a business"


class MarylandExemptUnit(models.TextChoices):
    """Maryland §3.5-802: exempt units that adopt compatible policies instead."""

    ATTORNEY_GENERAL = "attorney_general", "Office of the Attorney General"
    COMPTROLLER = "comptroller", "Comptroller"
    TREASURER = "treasurer", "Treasurer"


US_STATE_RE = r"^[A-Z]{2}$"


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
    agency_state = models.CharField(
        max_length=2,
        blank=True,
        validators=[RegexValidator(US_STATE_RE, "Two capital letters, e.g. MD.")],
        help_text="For a public agency: the US state it belongs to, e.g. MD (Maryland "
        "§3.5-802: a non-Maryland agency is never a Maryland unit).",
    )
    org_unit = models.CharField(
        max_length=200,
        blank=True,
        help_text="The organisational unit, e.g. 'Department of Human Services' "
        "(Maryland State Fin. & Proc. §3.5-801, 3.5-802).",
    )
    md_exempt_unit = models.CharField(
        max_length=20,
        blank=True,
        choices=MarylandExemptUnit.choices,
        help_text="A unit the Maryland Act exempts: it adopts compatible policies instead "
        "(State Fin. & Proc. §3.5-802).",
    )
    revenue_incl_affiliates_usd = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="Prior-year revenue including affiliates, in USD (California SB 53, B&P "
        "§22757.11: a large frontier developer exceeds $500M).",
    )
    business_status = models.CharField(
        max_length=20,
        blank=True,
        choices=BusinessStatus.choices,
        help_text="CCPA status (Cal. Civ. Code §1798.140(d)): nonprofits are not businesses; a "
        "service provider processes for a business that owes the duties.",
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
            "agency_state": self.agency_state or None,
            "org_unit": self.org_unit or None,
            "md_exempt_unit": self.md_exempt_unit or None,
            "revenue_incl_affiliates_usd": (
                int(self.revenue_incl_affiliates_usd)
                if self.revenue_incl_affiliates_usd is not None
                else None
            ),
            "business_status": self.business_status or None,
        }
