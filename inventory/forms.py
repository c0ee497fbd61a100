"""Forms validate with the model's own rules; services do the writing."""

import re

from django import forms
from django.contrib.auth import get_user_model

from inventory import vocab
from inventory.models import AISystem, Vendor

LIST_SPLIT = re.compile(r"[,;\n]")


class CommaListField(forms.CharField):
    """Free-text list (models used, tags) typed as comma-separated text."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            items = value
        else:
            items = LIST_SPLIT.split(super().to_python(value) or "")
        seen: dict[str, None] = {}
        for item in items:
            item = str(item).strip()
            if item:
                seen.setdefault(item, None)
        return list(seen)


class ChoiceListField(forms.MultipleChoiceField):
    """A vocabulary list; import may pass it as one 'CO, DE' string."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        if isinstance(value, str):
            value = LIST_SPLIT.split(value)
        return [str(v).strip() for v in (value or []) if str(v).strip()]


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        full = obj.get_full_name()
        return f"{full} ({obj.get_username()})" if full else obj.get_username()


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
LIST_FIELDS = {
    "roles": vocab.OurRole,
    "jurisdictions": vocab.Jurisdiction,
    "domains": vocab.Domain,
    "capabilities": vocab.Capability,
    "data_categories": vocab.DataCategory,
    "purposes": vocab.Purpose,
}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

FIELDSETS = [
    ("Basics", ["name", "description", "owner", "team", "vendor", "tags"]),
    ("Model", ["model_type", "models_used", "model_allowlist", "training_flops"]),
    ("Status", ["lifecycle", "sanction_status", "origin", "provenance", "first_seen", "last_seen"]),
    ("How it is used", ["roles", "decision_role", "jurisdictions", "domains", "capabilities"]),
    (
        "Risk facts",
        [
            "human_review",
            "consumer_facing",
            "interacts_with_persons",
            "profiling",
            "basic_software",
            "art6_3_claim",
        ],
    ),  # fmt: skip
    ("Data processed", ["data_categories", "data_regions"]),
    ("Observed use", ["teams_using", "expected_users", "gateway_aliases"]),
    (
        "EU AI Act facts",
        [
            "purposes", "art6_3_narrow_procedural", "art6_3_improves_human_activity",
            "art6_3_detects_patterns", "art6_3_preparatory", "art25_own_name",
            "art25_substantial_modification", "art25_repurposed_high_risk", "open_source",
            "placed_on_market_on", "significant_design_change",
        ],
    ),
    (
        "US state facts",
        [
            "employment_decision_kind", "use_started_on", "systematic_observation",
            "insurer_regulated_use", "hipaa_covered_use", "federally_approved_use",
            "regulated_creditor_notice", "ferpa_process", "informational_chatbot_excluded",
        ],
    ),
]  # fmt: skip


class AISystemForm(forms.ModelForm):
    owner = OwnerChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        help_text="Business owner.",
    )
    models_used = CommaListField(required=False, help_text="Comma-separated model names.")
    training_flops = forms.FloatField(
        required=False,
        min_value=0,
        label="Training compute (FLOPs)",
        help_text="Training compute in FLOPs, for model developers (e.g. 3e26).",
    )
    tags = CommaListField(required=False, help_text="Comma-separated.")
    model_allowlist = CommaListField(
        required=False,
        label="Model allowlist",
        help_text="Comma-separated model name patterns it may call (gpt-4o*, claude-*); "
        "empty means no allowlist.",
    )
    teams_using = CommaListField(
        required=False, label="Teams using it", help_text="Comma-separated team names."
    )
    data_regions = CommaListField(
        required=False,
        label="Data regions",
        help_text="Comma-separated: cloud region codes (eu-central-1) or EU, US.",
    )
    gateway_aliases = CommaListField(
        required=False,
        label="Gateway and trace names",
        help_text="Comma-separated gateway key aliases or team ids and trace service names "
        "that identify its traffic.",
    )
    roles = ChoiceListField(choices=vocab.OurRole.choices, required=False, label="Our role(s)")
    jurisdictions = ChoiceListField(
        choices=vocab.Jurisdiction.choices,
        required=False,
        help_text="Where it is used or whose residents it affects.",
    )
    domains = ChoiceListField(
        choices=vocab.Domain.choices, required=False, label="Use-case domains"
    )
    capabilities = ChoiceListField(choices=vocab.Capability.choices, required=False)
    data_categories = ChoiceListField(
        choices=vocab.DataCategory.choices,
        required=False,
        help_text="Personal and sensitive data categories processed.",
    )
    purposes = ChoiceListField(
        choices=vocab.Purpose.choices,
        required=False,
        label="Annex III purposes",
        help_text=AISystem._meta.get_field("purposes").help_text,
    )

    class Meta:
        model = AISystem
        fields = [name for _, names in FIELDSETS for name in names]
        labels = {
            "training_flops": "Training compute (FLOPs)",
            "art6_3_claim": "EU AI Act Art 6(3) claim",
            "basic_software": "Basic software (no ML)",
            "interacts_with_persons": "Interacts with natural persons",
            "consumer_facing": "Consumer-facing",
            "art6_3_narrow_procedural": "Art 6(3)(a): narrow procedural task",
            "art6_3_improves_human_activity": "Art 6(3)(b): improves a completed human activity",
            "art6_3_detects_patterns": "Art 6(3)(c): detects patterns, human review kept",
            "art6_3_preparatory": "Art 6(3)(d): preparatory task",
            "art25_own_name": "Art 25: our name or trademark on it",
            "art25_substantial_modification": "Art 25: we substantially modified it",
            "art25_repurposed_high_risk": "Art 25: we repurposed it into high-risk",
            "open_source": "Free and open-source licence",
            "placed_on_market_on": "Placed on the market / put into service",
            "significant_design_change": "Significant design change since (Art 111(2))",
            "employment_decision_kind": "Employment decision (Connecticut)",
            "use_started_on": "Use began on",
            "systematic_observation": "Systematic observation of workers or students",
            "insurer_regulated_use": "Colorado: insurer under C.R.S. 10-3-1104.9",
            "hipaa_covered_use": "Colorado: HIPAA-covered entity use",
            "federally_approved_use": "Colorado: federally approved use (e.g. FDA)",
            "regulated_creditor_notice": "Colorado: ECOA/FCRA adverse-action notices",
            "ferpa_process": "Colorado: FERPA process",
            "informational_chatbot_excluded": "Colorado: excluded informational chatbot",
            "expected_users": "Expected users",
        }
        widgets = {
            "placed_on_market_on": DATE,
            "use_started_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "provenance": forms.Textarea(attrs={"rows": 2}),
            "first_seen": DATETIME,
            "last_seen": DATETIME,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].empty_label = "In-house (no vendor)"
        self.fields["vendor"].queryset = Vendor.objects.order_by("name")

    def fieldsets(self):
        return [(title, [self[name] for name in names]) for title, names in FIELDSETS]


class VendorForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Vendor
        fields = ["name", "website", "contact_name", "contact_email", "is_ai_developer", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class IntakeForm(forms.ModelForm):
    """The short form a system found by discovery must pass before it is classified."""

    owner = OwnerChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        help_text="Who answers for this system in the business.",
    )
    jurisdictions = ChoiceListField(
        choices=vocab.Jurisdiction.choices,
        help_text="Where it is used or whose residents it affects.",
    )
    domains = ChoiceListField(
        choices=vocab.Domain.choices,
        label="Use-case domains",
        help_text="What it is used for; General productivity if nothing else fits.",
    )
    data_categories = ChoiceListField(
        choices=vocab.DataCategory.choices,
        required=False,
        help_text="Personal and sensitive data it processes; none ticked means no personal data.",
    )

    class Meta:
        model = AISystem
        fields = [
            "owner",
            "team",
            "description",
            "jurisdictions",
            "domains",
            "data_categories",
            "decision_role",
        ]
        labels = {"description": "Purpose"}
        help_texts = {
            "description": "What it does and for whom, in a sentence or two.",
            "decision_role": "How far its output decides about people.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].required = True
