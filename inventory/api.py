"""REST API for systems and vendors: the same FilterSet, services and role rules as the HTML pages."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from inventory import vocab
from inventory.filters import AISystemFilter, SharedChoices, VendorFilter
from inventory.models import AISystem, RiskTier, Vendor
from inventory.selectors import ai_system_filterset, vendor_filterset
from inventory.services import (
    ai_system_create,
    ai_system_delete,
    ai_system_update,
    vendor_create,
    vendor_delete,
    vendor_update,
)


def _choice_list(choices) -> serializers.ListField:
    child = serializers.ChoiceField(choices=SharedChoices(choices))
    return serializers.ListField(child=child, required=False)


def _as_drf_error(err: DjangoValidationError) -> ValidationError:
    return ValidationError(
        err.message_dict if hasattr(err, "error_dict") else {"non_field_errors": err.messages}
    )


class AISystemSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        allow_null=True,
        required=False,
    )
    vendor = serializers.PrimaryKeyRelatedField(
        queryset=Vendor.objects.all(), allow_null=True, required=False
    )
    vendor_name = serializers.CharField(
        source="vendor.name",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="Null for an in-house system (no vendor).",
    )
    models_used = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    model_allowlist = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False
    )
    gateway_aliases = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False
    )
    teams_using = serializers.ListField(child=serializers.CharField(max_length=120), required=False)
    data_regions = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    roles = _choice_list(vocab.OurRole.choices)
    jurisdictions = _choice_list(vocab.Jurisdiction.choices)
    domains = _choice_list(vocab.Domain.choices)
    capabilities = _choice_list(vocab.Capability.choices)
    data_categories = _choice_list(vocab.DataCategory.choices)
    purposes = _choice_list(vocab.Purpose.choices)
    facts = serializers.SerializerMethodField(
        help_text="The facts the classification engine reads."
    )

    needs_facts = serializers.BooleanField(
        read_only=True, help_text="In intake, a required fact blank."
    )
    # Declared: DRF leaves allow_blank off for a non-editable model field, so the schema would
    # refuse the blank tier of a system not classified yet.
    risk_tier = serializers.ChoiceField(
        choices=RiskTier.choices,
        allow_blank=True,
        read_only=True,
        help_text="Highest tier across regimes; blank until the system is classified.",
    )
    risk_by_regime = serializers.SerializerMethodField(
        help_text='Each regime\'s tier from the current classification, e.g. {"eu": "high"}.'
    )

    class Meta:
        model = AISystem
        fields = [
            "id", "name", "description", "owner", "team", "vendor", "vendor_name", "model_type", "models_used",
            "training_flops", "lifecycle", "sanction_status", "origin", "provenance", "roles", "decision_role",
            "human_review", "jurisdictions", "domains", "capabilities", "consumer_facing",
            "interacts_with_persons", "data_categories", "profiling", "basic_software", "art6_3_claim",
            "first_seen", "last_seen", "tags",
            "purposes", "art6_3_narrow_procedural", "art6_3_improves_human_activity",
            "art6_3_detects_patterns", "art6_3_preparatory", "art25_own_name",
            "art25_substantial_modification", "art25_repurposed_high_risk", "open_source",
            "placed_on_market_on", "significant_design_change", "use_started_on",
            "systematic_observation", "employment_decision_kind", "insurer_regulated_use",
            "hipaa_covered_use", "federally_approved_use", "regulated_creditor_notice",
            "ferpa_process", "informational_chatbot_excluded",
            "model_allowlist", "gateway_aliases", "teams_using", "data_regions", "expected_users",
            "facts", "needs_facts", "risk_tier", "risk_by_regime", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def get_risk_by_regime(self, obj: AISystem) -> dict[str, str]:
        return dict(obj.risk_by_regime)

    def get_facts(self, obj: AISystem) -> dict:
        return obj.facts()


class VendorSerializer(serializers.ModelSerializer):
    system_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Vendor
        fields = ["id", "name", "website", "contact_name", "contact_email", "is_ai_developer", "notes",
                  "system_count", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]


class _ServiceViewSet(viewsets.ModelViewSet):
    """Writes go through the audited services; each HTTP verb needs its own model permission."""

    perm_prefix = ""
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    @property
    def write_permissions(self) -> tuple[str, ...]:
        verb = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}.get(
            self.request.method
        )
        return (f"inventory.{verb}_{self.perm_prefix}",) if verb else ()


class AISystemViewSet(_ServiceViewSet):
    serializer_class = AISystemSerializer
    filterset_class = AISystemFilter
    perm_prefix = "aisystem"

    def get_queryset(self) -> QuerySet[AISystem]:
        # The FilterSet backend filters again; this base keeps select_related and stable order.
        return ai_system_filterset(filters={}).qs

    def perform_create(self, serializer):
        try:
            serializer.instance = ai_system_create(
                actor=self.request.user, data=serializer.validated_data
            )
        except DjangoValidationError as err:
            raise _as_drf_error(err) from err

    def perform_update(self, serializer):
        try:
            serializer.instance = ai_system_update(
                actor=self.request.user, system=serializer.instance, data=serializer.validated_data
            )
        except DjangoValidationError as err:
            raise _as_drf_error(err) from err

    def perform_destroy(self, instance):
        try:
            ai_system_delete(actor=self.request.user, system=instance)
        except DjangoValidationError as err:
            raise _as_drf_error(err) from err


class VendorViewSet(_ServiceViewSet):
    serializer_class = VendorSerializer
    filterset_class = VendorFilter
    perm_prefix = "vendor"

    def get_queryset(self) -> QuerySet[Vendor]:
        return vendor_filterset(filters={}).qs

    def perform_create(self, serializer):
        try:
            vendor = vendor_create(actor=self.request.user, data=serializer.validated_data)
        except DjangoValidationError as err:
            raise _as_drf_error(err) from err
        vendor.system_count = 0
        serializer.instance = vendor

    def perform_update(self, serializer):
        try:
            vendor = vendor_update(
                actor=self.request.user, vendor=serializer.instance, data=serializer.validated_data
            )
        except DjangoValidationError as err:
            raise _as_drf_error(err) from err
        serializer.instance = vendor

    def perform_destroy(self, instance):
        try:
            vendor_delete(actor=self.request.user, vendor=instance)
        except DjangoValidationError as err:
            raise _as_drf_error(err) from err
