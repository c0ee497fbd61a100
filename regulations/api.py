"""Read API for regimes, versions, results and deadlines; one POST that re-classifies a system."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import build_object_type
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory.models import AISystem
from regulations.filters import ClassificationResultFilter, DeadlineFilter, RegimeFilter
from regulations.models import (
    ClassificationResult,
    ContentVersion,
    Deadline,
    Obligation,
    Regime,
    Rule,
)
from regulations.selectors import (
    classification_current,
    classification_result_list,
    deadline_list,
    regime_list,
)
from regulations.services import classification_run


def _with_counts(versions: QuerySet[ContentVersion]) -> QuerySet[ContentVersion]:
    """Rule and obligation counts in the versions' own query, not two queries per version."""
    return versions.annotate(
        rule_count=Count("rules", distinct=True),
        obligation_count=Count("obligations", distinct=True),
    )


class VersionSummarySerializer(serializers.ModelSerializer):
    rule_count = serializers.IntegerField(read_only=True)
    obligation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ContentVersion
        fields = ["version", "status", "effective_from", "effective_to", "superseded_by",
                  "litigation_status", "sha256", "file_path", "loaded_at", "rule_count",
                  "obligation_count"]  # fmt: skip


class RegimeSerializer(serializers.ModelSerializer):
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Regime
        fields = ["code", "name", "litigation_status", "preemption_notes", "versions"]


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rule
        fields = ["key", "title", "explanation", "citation", "url", "confidence", "data"]


class ObligationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Obligation
        fields = ["key", "title", "description", "owed_by", "cadence", "due", "retention",
                  "assessment_template", "citation", "url", "confidence"]  # fmt: skip


class VersionDetailSerializer(VersionSummarySerializer):
    regime = serializers.CharField(source="regime.code", read_only=True)
    rules = RuleSerializer(many=True, read_only=True)
    obligations = ObligationSerializer(many=True, read_only=True)

    class Meta(VersionSummarySerializer.Meta):
        fields = [
            "regime",
            *VersionSummarySerializer.Meta.fields,
            "sources",
            "rules",
            "obligations",
        ]


class ResultSerializer(serializers.ModelSerializer):
    system = serializers.IntegerField(source="system_id", read_only=True)
    system_name = serializers.CharField(source="system.name", read_only=True)
    regime = serializers.CharField(source="regime.code", read_only=True)
    content_version = serializers.CharField(source="content_version.version", read_only=True)

    class Meta:
        model = ClassificationResult
        fields = ["id", "system", "system_name", "regime", "content_version", "inputs_hash",
                  "evaluated_on", "applies", "roles", "outcome", "outcome_label", "headline",
                  "pending_from", "risk_tier", "high_risk", "triggered_obligations", "rationale",
                  "details", "computed_at", "previous"]  # fmt: skip


class DeadlineSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    system_name = serializers.CharField(
        source="system.name",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="Null for an organisation-wide deadline.",
    )
    recurrence_text = serializers.CharField(
        read_only=True, help_text="The recurrence in words, e.g. 'every 3 years'."
    )

    class Meta:
        model = Deadline
        fields = ["id", "title", "due_date", "kind", "status", "system", "system_name",
                  "regime_code", "obligation_key", "citation", "owner", "recurrence",
                  "recurrence_text", "completed_at", "completed_by", "evidence_url"]  # fmt: skip


class RegimeListApi(ListAPIView):
    serializer_class = RegimeSerializer
    filterset_class = RegimeFilter

    def get_queryset(self) -> QuerySet[Regime]:
        versions = Prefetch("versions", queryset=_with_counts(ContentVersion.objects.all()))
        return regime_list().prefetch_related(None).prefetch_related(versions)


class RegimeVersionDetailApi(RetrieveAPIView):
    serializer_class = VersionDetailSerializer

    def get_object(self):
        return get_object_or_404(
            _with_counts(ContentVersion.objects.select_related("regime")),
            regime__code=self.kwargs["code"],
            version=self.kwargs["version"],
        )


@extend_schema(
    parameters=[
        OpenApiParameter("system", int, description="AI system id."),
        OpenApiParameter("regime", str, description="Regime code, e.g. co or eu."),
        OpenApiParameter(
            "current",
            str,
            enum=["1", "true"],
            description="Only the latest result per system and regime.",
        ),
    ]
)
class ClassificationResultListApi(ListAPIView):
    """?system=<id>&regime=<code>; ?current=1 keeps only the latest result per system and regime."""

    serializer_class = ResultSerializer
    filterset_class = ClassificationResultFilter

    def get_queryset(self) -> QuerySet[ClassificationResult]:
        return classification_result_list()


@extend_schema(
    parameters=[
        OpenApiParameter("regime", str, description="Regime code, e.g. co or eu."),
        OpenApiParameter(
            "system", str, description="AI system id, or 'org' for organisation-wide."
        ),
        OpenApiParameter("owner", str, description="Owner's user id, or 'none' for unassigned."),
        OpenApiParameter("status", str, enum=["open", "overdue", "due_30", "upcoming", "done"]),
    ]
)
class DeadlineListApi(ListAPIView):
    """Same filters as the HTML list: regime, system (id or 'org'), owner (id or 'none'), status."""

    serializer_class = DeadlineSerializer
    filterset_class = DeadlineFilter

    def get_queryset(self) -> QuerySet[Deadline]:
        return deadline_list()


class ResultsByRegimeSerializer(serializers.Serializer):
    """The current result per regime, keyed by regime code; the codes come from the loaded content."""

    def to_representation(self, instance: dict) -> dict:
        return {code: ResultSerializer(row).data for code, row in sorted(instance.items())}


class ResultsByRegimeSchema(OpenApiSerializerExtension):
    """A map, not fixed fields: {"co": Result, "eu": Result, ...}."""

    target_class = ResultsByRegimeSerializer

    def map_serializer(self, auto_schema, direction):
        result = auto_schema.resolve_serializer(ResultSerializer, direction)
        return build_object_type(
            additionalProperties=result.ref, description=ResultsByRegimeSerializer.__doc__
        )


class SystemClassifyApi(APIView):
    """Re-run the classification now; returns the current result per regime."""

    write_permissions = ("regulations.classify_system",)

    @extend_schema(request=None, responses=ResultsByRegimeSerializer)
    def post(self, request: Request, pk: int) -> Response:
        system = get_object_or_404(AISystem, pk=pk)
        classification_run(system=system, actor=request.user)
        return Response(ResultsByRegimeSerializer(classification_current(system)).data)
