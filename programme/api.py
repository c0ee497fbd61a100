"""REST API of the governance programme: the same FilterSets, selectors and services as the
pages. A requester lists and files only their own AI-use requests; everything else is for the
roles that read the inventory."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory import vocab
from programme.filters import (
    AIUseRequestFilter,
    ControlFilter,
    RightsRequestFilter,
    RiskFilter,
    TrainingCompletionFilter,
)
from programme.literacy import coverage
from programme.models import (
    AIUseRequest,
    Control,
    RightsRequest,
    Risk,
    TrainingCompletion,
)
from programme.roles import REQUEST
from programme.selectors import ai_use_request_visible, control_library, risk_filterset
from programme.services import REQUEST_FIELDS, ai_use_request_submit


class RequesterPermission(BasePermission):
    """Anyone holding the Requester right (every role does) may list and file requests."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm(REQUEST))


def _drf_error(err: DjangoValidationError) -> ValidationError:
    return ValidationError(
        err.message_dict if hasattr(err, "error_dict") else {"non_field_errors": err.messages}
    )


def _choices(choices) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=choices), required=False)


class AIUseRequestSerializer(serializers.ModelSerializer):
    requester = serializers.CharField(source="requester.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, default=None, allow_null=True
    )
    data_categories = _choices(vocab.DataCategory.choices)
    jurisdictions = _choices(vocab.Jurisdiction.choices)
    domains = _choices(vocab.Domain.choices)

    class Meta:
        model = AIUseRequest
        fields = ["id", *REQUEST_FIELDS, "requester", "status", "conditions", "reason",
                  "decided_by", "decided_at", "system", "invitation", "created_at",
                  "submitted_at"]  # fmt: skip
        read_only_fields = ["catalog_key", "status", "conditions", "reason", "decided_at",
                            "system", "invitation", "created_at", "submitted_at"]  # fmt: skip


class AIUseRequestListApi(generics.ListCreateAPIView):
    """A requester sees their own requests; officers and auditors see all. POST files one."""

    serializer_class = AIUseRequestSerializer
    filterset_class = AIUseRequestFilter
    permission_classes = [RequesterPermission]

    def get_queryset(self) -> QuerySet[AIUseRequest]:
        if getattr(self, "swagger_fake_view", False):
            return AIUseRequest.objects.none()
        return ai_use_request_visible(user=self.request.user)

    def perform_create(self, serializer) -> None:
        data = {k: v for k, v in serializer.validated_data.items() if k in REQUEST_FIELDS}
        try:
            serializer.instance = ai_use_request_submit(actor=self.request.user, data=data)
        except DjangoValidationError as err:
            raise _drf_error(err) from err


class AIUseRequestDetailApi(generics.RetrieveAPIView):
    serializer_class = AIUseRequestSerializer
    permission_classes = [RequesterPermission]

    def get_queryset(self) -> QuerySet[AIUseRequest]:
        if getattr(self, "swagger_fake_view", False):
            return AIUseRequest.objects.none()
        return ai_use_request_visible(user=self.request.user)


class RiskSerializer(serializers.ModelSerializer):
    system_name = serializers.CharField(
        source="system.name", read_only=True, default=None, allow_null=True
    )
    category = serializers.CharField(source="category.code", read_only=True)
    owner = serializers.CharField(
        source="owner.username", read_only=True, default=None, allow_null=True
    )
    # 1-5 each (the same scale for all four; plain integers keep one name in the schema)
    likelihood = serializers.IntegerField(read_only=True)
    impact = serializers.IntegerField(read_only=True)
    residual_likelihood = serializers.IntegerField(read_only=True, allow_null=True)
    residual_impact = serializers.IntegerField(read_only=True, allow_null=True)
    inherent_score = serializers.IntegerField(read_only=True)
    residual_score = serializers.IntegerField(read_only=True, allow_null=True)
    controls = serializers.SerializerMethodField()

    class Meta:
        model = Risk
        fields = ["id", "system", "system_name", "title", "description", "category",
                  "likelihood", "impact", "inherent_score", "residual_likelihood",
                  "residual_impact", "residual_score", "owner", "treatment", "treatment_plan",
                  "due_date", "status", "controls", "created_at", "updated_at"]  # fmt: skip

    def get_controls(self, obj: Risk) -> list[dict]:
        return [
            {"control": m.control.code, "status": m.status,
             "evidence": [{"file": e.file_name, "sha256": e.sha256} for e in m.evidence.all()]}
            for m in obj.controls.all()
        ]  # fmt: skip


class RiskListApi(generics.ListAPIView):
    """The risk register with each risk's controls and their evidence hashes."""

    serializer_class = RiskSerializer
    filterset_class = RiskFilter

    def get_queryset(self) -> QuerySet[Risk]:
        return (
            risk_filterset()
            .qs.prefetch_related("controls__control", "controls__evidence")
            .order_by("-pk")
        )


class ControlSerializer(serializers.ModelSerializer):
    version = serializers.CharField(source="content.version", read_only=True)

    class Meta:
        model = Control
        fields = ["id", "code", "title", "framework", "citation", "url", "confidence", "test",
                  "applies_to_model_types", "applies_to_capabilities", "obligations",
                  "version"]  # fmt: skip


class ControlListApi(generics.ListAPIView):
    """The current controls library; ?framework=, ?obligation=, ?q=."""

    serializer_class = ControlSerializer
    filterset_class = ControlFilter

    def get_queryset(self) -> QuerySet[Control]:
        if getattr(self, "swagger_fake_view", False):
            return Control.objects.none()
        return control_library().select_related("content")


class CompletionSerializer(serializers.ModelSerializer):
    module = serializers.CharField(source="module.title", read_only=True)
    module_version = serializers.CharField(source="module.version", read_only=True)

    class Meta:
        model = TrainingCompletion
        fields = ["id", "person", "team", "module", "module_version", "completed_on",
                  "expires_on", "score", "attested", "source"]  # fmt: skip


class CompletionListApi(generics.ListAPIView):
    """AI-literacy completions; ?person=, ?team=, ?module=, ?due=1 (expired or expiring)."""

    serializer_class = CompletionSerializer
    filterset_class = TrainingCompletionFilter

    def get_queryset(self) -> QuerySet[TrainingCompletion]:
        return TrainingCompletion.objects.select_related("module").order_by("-completed_on", "pk")


_Group = inline_serializer(
    "LiteracyGroup",
    {
        "group": serializers.CharField(),
        "people": serializers.IntegerField(),
        "trained": serializers.IntegerField(),
        "percent": serializers.IntegerField(allow_null=True),
        "missing": serializers.ListField(child=serializers.CharField()),
    },
)
_Coverage = inline_serializer(
    "LiteracyCoverage",
    {"everyone": _Group, "high_risk": _Group, "teams": serializers.ListField(child=_Group)},
)


class LiteracyCoverageApi(APIView):
    """Coverage now: everyone known, people who use high-risk systems, and each team."""

    @extend_schema(responses=_Coverage)
    def get(self, request) -> Response:
        found = coverage()

        def row(c) -> dict:
            return {"group": c.label, "people": c.total, "trained": c.trained,
                    "percent": c.percent, "missing": c.missing}  # fmt: skip

        return Response(
            {
                "everyone": row(found["everyone"]),
                "high_risk": row(found["high_risk"]),
                "teams": [row(t) for t in found["teams"]],
            }  # fmt: skip
        )


class RightsRequestSerializer(serializers.ModelSerializer):
    regime = serializers.CharField(source="rule.regime", read_only=True)
    right = serializers.CharField(source="rule.title", read_only=True)
    citation = serializers.CharField(source="rule.citation", read_only=True)
    system_name = serializers.CharField(
        source="system.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = RightsRequest
        fields = ["id", "reference", "regime", "right", "citation", "system", "system_name",
                  "received_on", "identity", "due_on", "extended", "extension_reason",
                  "responded_on", "outcome", "created_at"]  # fmt: skip


class RightsRequestListApi(generics.ListAPIView):
    """People's rights requests with their statutory due dates; ?regime=, ?state=, ?q=."""

    serializer_class = RightsRequestSerializer
    filterset_class = RightsRequestFilter

    def get_queryset(self) -> QuerySet[RightsRequest]:
        return RightsRequest.objects.select_related("rule", "system").order_by("due_on", "pk")
