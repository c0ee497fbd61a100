"""Evidence-pack API: list and read packs; create one (auditor or compliance officer)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from evidence.filters import EvidencePackFilter
from evidence.models import EvidencePack
from evidence.selectors import pack_list
from evidence.services import EXPORT_PERMISSION, pack_create
from inventory.models import AISystem


class EvidencePackSerializer(serializers.ModelSerializer):
    # Declared, not generated: a read-only model field loses allow_blank, and "" (all regimes) is valid.
    regime = serializers.CharField(
        allow_blank=True,
        read_only=True,
        help_text="Code of a regime in the loaded content (GET /api/regulations/regimes/); empty: all regimes.",
    )
    created_by = serializers.CharField(source="created_by.get_username", read_only=True, default="")
    systems = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = EvidencePack
        fields = [
            "id", "regime", "all_systems", "systems", "period_from", "period_to", "created_by",
            "created_at", "status", "progress", "progress_note", "started_at", "finished_at",
            "zip_sha256", "zip_size", "pdf_sha256", "pdf_size", "pdf_pages", "manifest_sha256",
            "content_sha256", "key_fingerprint", "file_count", "missing_count", "error",
        ]  # fmt: skip
        read_only_fields = fields


class EvidencePackCreateSerializer(serializers.Serializer):
    regime = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=8,
        help_text="Code of a regime in the loaded content (GET /api/regulations/regimes/); omit for all regimes.",
    )
    systems = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=AISystem.objects.all(),
        required=False,
        help_text="Omit (or send an empty list) for all systems.",
    )
    period_from = serializers.DateField()
    period_to = serializers.DateField()


class EvidencePackListApi(generics.ListCreateAPIView):
    """GET lists packs; POST queues a new one and returns it with status `queued`."""

    write_permissions = (EXPORT_PERMISSION,)
    serializer_class = EvidencePackSerializer
    filterset_class = EvidencePackFilter

    def get_queryset(self) -> QuerySet[EvidencePack]:
        return pack_list()

    @extend_schema(request=EvidencePackCreateSerializer, responses={201: EvidencePackSerializer})
    def post(self, request: Request, *args, **kwargs) -> Response:
        incoming = EvidencePackCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        try:
            pack = pack_create(
                actor=request.user,
                regime=data.get("regime", ""),
                systems=list(data["systems"]) if data.get("systems") else None,
                period_from=data["period_from"],
                period_to=data["period_to"],
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(EvidencePackSerializer(pack).data, status=201)


class EvidencePackDetailApi(generics.RetrieveAPIView):
    serializer_class = EvidencePackSerializer

    def get_queryset(self) -> QuerySet[EvidencePack]:
        return pack_list()
