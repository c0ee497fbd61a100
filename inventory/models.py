from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
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


class RiskTier(models.TextChoices):
    """The tiers classification reports (regulations' outcomes map onto them), highest first."""

    PROHIBITED = "prohibited", "Prohibited"
    HIGH = "high", "High risk"
    LIMITED = "limited", "Limited (transparency)"
    MINIMAL = "minimal", "Minimal"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


RISK_ORDER = {tier.value: i for i, tier in enumerate(RiskTier)}


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
        default=list,
        blank=True,
        validators=[validate_choice_list(vocab.OurRole)],
        help_text="Our role(s) for this system.",
    )
    jurisdictions = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_choice_list(vocab.Jurisdiction)],
        help_text="Where it is used or whose residents it affects.",
    )
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
        default=list,
        blank=True,
        validators=[validate_choice_list(vocab.DataCategory)],
        help_text="Personal and sensitive data categories processed.",
    )
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
    # ---- facts the law turns on (help text cites the section that reads each one)
    purposes = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_choice_list(vocab.Purpose)],
        help_text="Intended purposes listed in EU AI Act Annex III (Art 6(2)); a point applies to "
        "its listed purpose, not to a domain alone.",
    )
    art6_3_narrow_procedural = models.BooleanField(
        default=False, help_text="Performs only a narrow procedural task (EU AI Act Art 6(3)(a))."
    )
    art6_3_improves_human_activity = models.BooleanField(
        default=False,
        help_text="Only improves the result of a previously completed human activity "
        "(EU AI Act Art 6(3)(b)).",
    )
    art6_3_detects_patterns = models.BooleanField(
        default=False,
        help_text="Only detects decision patterns or deviations, without replacing or influencing "
        "the human assessment absent proper review (EU AI Act Art 6(3)(c)).",
    )
    art6_3_preparatory = models.BooleanField(
        default=False,
        help_text="Only performs a preparatory task to an assessment (EU AI Act Art 6(3)(d)).",
    )
    art25_own_name = models.BooleanField(
        default=False,
        help_text="We put our name or trademark on this high-risk system (EU AI Act Art 25(1)(a)): "
        "we become its provider.",
    )
    art25_substantial_modification = models.BooleanField(
        default=False,
        help_text="We made a substantial modification to it (EU AI Act Art 25(1)(b)): we become "
        "its provider.",
    )
    art25_repurposed_high_risk = models.BooleanField(
        default=False,
        help_text="We changed its intended purpose so that it becomes high-risk "
        "(EU AI Act Art 25(1)(c)): we become its provider.",
    )
    open_source = models.BooleanField(
        default=False,
        help_text="Released under a free and open-source licence (EU AI Act Art 2(12): exempt "
        "unless high-risk, prohibited or under Art 50).",
    )
    placed_on_market_on = models.DateField(
        null=True,
        blank=True,
        help_text="Date placed on the market or put into service (EU AI Act Art 111(2): "
        "high-risk systems placed before their Chapter III date are covered only after a "
        "significant design change).",
    )
    significant_design_change = models.BooleanField(
        default=False,
        help_text="Significantly changed in its design since its Chapter III date "
        "(EU AI Act Art 111(2)).",
    )
    use_started_on = models.DateField(
        null=True,
        blank=True,
        help_text="Date this use began (CCPA regs 11 CCR §7200: uses begun before 2027-01-01 "
        "comply by 2027-01-01, later uses when they begin).",
    )
    systematic_observation = models.BooleanField(
        default=False,
        help_text="Infers traits of applicants, students, employees or contractors by systematic "
        "observation (CCPA regs 11 CCR §7150(b)(4)).",
    )
    employment_decision_kind = models.CharField(
        max_length=30,
        blank=True,
        choices=vocab.EmploymentDecision.choices,
        help_text="The employment decision it is used for (Connecticut PA 26-15: scheduling and "
        "productivity monitoring are not employment-related decisions).",
    )
    insurer_regulated_use = models.BooleanField(
        default=False,
        help_text="Used by an insurer under C.R.S. 10-3-1104.9: deemed compliant, except for "
        "employment (Colorado C.R.S. 6-1-1708(1)-(2)).",
    )
    hipaa_covered_use = models.BooleanField(
        default=False,
        help_text="Used by a HIPAA-covered entity: exempt except for employment; patients get a "
        "general notice (Colorado C.R.S. 6-1-1708(3)).",
    )
    federally_approved_use = models.BooleanField(
        default=False,
        help_text="A use approved or regulated by a federal agency such as the FDA "
        "(Colorado C.R.S. 6-1-1708(4)).",
    )
    regulated_creditor_notice = models.BooleanField(
        default=False,
        help_text="Decisions by a regulated creditor that gives ECOA/FCRA adverse-action notices, "
        "which suffice (Colorado C.R.S. 6-1-1704(6)).",
    )
    ferpa_process = models.BooleanField(
        default=False,
        help_text="Decisions made under FERPA processes, which suffice "
        "(Colorado C.R.S. 6-1-1704(9), 6-1-1705(2)).",
    )
    informational_chatbot_excluded = models.BooleanField(
        default=False,
        help_text="An informational chatbot not sold for consequential decisions and barred from "
        "them by an acceptable-use policy (Colorado C.R.S. 6-1-1701, exclusions).",
    )
    # ---- observed use: what gateway logs and traces are compared with (drift, allowlists)
    model_allowlist = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_string_list],
        help_text="Models this system may call, as name patterns (gpt-4o*, claude-*); "
        "empty means no allowlist.",
    )
    gateway_aliases = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_string_list],
        help_text="Names that identify its traffic: gateway key aliases or team ids, trace "
        "service names.",
    )
    teams_using = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_string_list],
        help_text="Teams or departments known to use it.",
    )
    data_regions = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_string_list],
        help_text="Where its data is processed: cloud region codes (eu-central-1) or EU, US.",
    )
    expected_users = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many people are expected to use it."
    )
    first_seen = models.DateTimeField(null=True, blank=True)
    last_seen = models.DateTimeField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True, validators=[validate_string_list])
    intake_pending = models.BooleanField(
        default=False,
        db_index=True,
        help_text="Entered the inventory from discovery: it needs facts (and is not classified) "
        "until the intake's required facts are set.",
    )
    # Read-only projection of the current classification per regime, written after each run, so
    # the list can show and filter risk without joining the results table.
    risk_tier = models.CharField(
        max_length=20, choices=RiskTier.choices, blank=True, db_index=True, editable=False
    )
    risk_tiers = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Tokens 'high' and 'eu:high' for each regime's tier, for filtering.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    # Facts intake asks for; until they are set a discovered system stays "Needs facts".
    REQUIRED_FACTS = ("owner", "description", "jurisdictions", "domains")

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name"])]
        verbose_name = "AI system"

    def __str__(self) -> str:
        return self.name

    @classmethod
    def needs_facts_q(cls) -> Q:
        """The "Needs facts" state as a filter: entered by intake, a required fact still blank."""
        return Q(intake_pending=True) & (
            Q(owner__isnull=True) | Q(description="") | Q(jurisdictions=[]) | Q(domains=[])
        )

    @property
    def needs_facts(self) -> bool:
        return self.intake_pending and bool(self.missing_facts())

    def missing_facts(self) -> list[str]:
        """The required facts still blank, named as the intake form names them."""
        labels = {
            "owner": "owner",
            "description": "purpose",
            "jurisdictions": "jurisdictions",
            "domains": "use-case domains",
        }
        blank = {
            "owner": self.owner_id is None,
            "description": not (self.description or "").strip(),
            "jurisdictions": not self.jurisdictions,
            "domains": not self.domains,
        }
        return [labels[name] for name in self.REQUIRED_FACTS if blank[name]]

    @property
    def risk_by_regime(self) -> list[tuple[str, str]]:
        """[(regime code, tier)] from the stored tokens, highest tier first."""
        pairs = [tuple(t.split(":", 1)) for t in self.risk_tiers if ":" in t]
        return sorted(pairs, key=lambda p: (RISK_ORDER.get(p[1], 99), p[0]))

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
            "purposes": sorted(self.purposes),
            "art6_3_narrow_procedural": self.art6_3_narrow_procedural,
            "art6_3_improves_human_activity": self.art6_3_improves_human_activity,
            "art6_3_detects_patterns": self.art6_3_detects_patterns,
            "art6_3_preparatory": self.art6_3_preparatory,
            "art25_own_name": self.art25_own_name,
            "art25_substantial_modification": self.art25_substantial_modification,
            "art25_repurposed_high_risk": self.art25_repurposed_high_risk,
            "open_source": self.open_source,
            "placed_on_market_on": _iso(self.placed_on_market_on),
            "significant_design_change": self.significant_design_change,
            "use_started_on": _iso(self.use_started_on),
            "systematic_observation": self.systematic_observation,
            "employment_decision_kind": self.employment_decision_kind or None,
            "insurer_regulated_use": self.insurer_regulated_use,
            "hipaa_covered_use": self.hipaa_covered_use,
            "federally_approved_use": self.federally_approved_use,
            "regulated_creditor_notice": self.regulated_creditor_notice,
            "ferpa_process": self.ferpa_process,
            "informational_chatbot_excluded": self.informational_chatbot_excluded,
        }


def _iso(value) -> str | None:
    """Dates reach the engine as ISO text, as they would after a JSON round trip."""
    return value.isoformat() if value else None
