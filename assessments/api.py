"""REST API: read assessments, answer questions (with the same optimistic lock), move through the
workflow; read checklists and evidence files, upload evidence. Same services as the HTML pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.filters import AssessmentFilter, EvidenceFileFilter, VendorChecklistFilter
from assessments.models import (
    Assessment,
    AssessmentRevision,
    ChecklistItemStatus,
    EvidenceFile,
    VendorChecklist,
)
from assessments.selectors import (
    assessment_list,
    checklist_list,
    evidence_file_list,
    revision_verify,
)
from assessments.services import (
    AnswerConflict,
    answer_save,
    approval_attestation,
    assessment_approve,
    assessment_return,
    assessment_submit,
    evidence_upload,
)
from core.htmx import error_text
from core.parsers import SafeFormParser, SafeJSONParser, SafeMultiPartParser


def _drf_error(err: DjangoValidationError) -> ValidationError:
    detail: dict = {"detail": error_text(err)}
    if getattr(err, "code", "") == "missing" and err.params:
        detail["missing"] = err.params.get("missing", [])
    return ValidationError(detail)


class RevisionSerializer(serializers.ModelSerializer):
    approved_by = serializers.CharField(
        source="approved_by.username", default=None, allow_null=True, read_only=True
    )
    submitted_by = serializers.CharField(
        source="submitted_by.username", default=None, allow_null=True, read_only=True
    )
    verification = serializers.SerializerMethodField(
        help_text="'verified' if the answers still hash to approval_hash, 'changed' if not, "
        "'unapproved' for a revision without sign-off."
    )

    class Meta:
        model = AssessmentRevision
        fields = ["number", "answers", "answer_versions", "attachments", "template_version",
                  "submitted_by", "submitted_at", "approved_by", "approved_at", "approval_hash",
                  "verification", "created_at"]  # fmt: skip

    def get_verification(self, obj: AssessmentRevision) -> str:
        return revision_verify(obj)


class AssessmentSerializer(serializers.ModelSerializer):
    system_name = serializers.CharField(source="system.name", read_only=True)
    template_key = serializers.CharField(source="template.key", read_only=True)
    template_title = serializers.CharField(source="template.title", read_only=True)
    regime = serializers.CharField(source="template.content_version.regime.code", read_only=True)
    submitted_by = serializers.CharField(
        source="submitted_by.username", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = Assessment
        fields = ["id", "system", "system_name", "template", "template_key", "template_title",
                  "regime", "state", "current_revision", "version", "submitted_by",
                  "submitted_at", "return_reason", "created_at", "updated_at"]  # fmt: skip


class AssessmentDetailSerializer(AssessmentSerializer):
    sections = serializers.JSONField(source="template.sections", read_only=True)
    revisions = RevisionSerializer(many=True, read_only=True)

    class Meta(AssessmentSerializer.Meta):
        fields = [*AssessmentSerializer.Meta.fields, "sections", "revisions"]


class AssessmentListApi(generics.ListAPIView):
    """Filter with ?state= and ?system=."""

    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter

    def get_queryset(self) -> QuerySet[Assessment]:
        return assessment_list()


class AssessmentDetailApi(generics.RetrieveAPIView):
    serializer_class = AssessmentDetailSerializer

    def get_queryset(self) -> QuerySet[Assessment]:
        return assessment_list().prefetch_related(
            "revisions__approved_by", "revisions__submitted_by"
        )


AnswerIn = inline_serializer(
    "AnswerIn",
    {
        "question_id": serializers.CharField(),
        "value": serializers.JSONField(
            allow_null=True,
            help_text="text/richtext/choice/date: string; multichoice: list; "
            'yesno: {"value": "yes"|"no", "explanation": "..."}; null clears.',
        ),
        "base_version": serializers.IntegerField(
            help_text="The field version you read (answer_versions[question_id], 0 if absent)."
        ),
    },
)
AnswerOut = inline_serializer(
    "AnswerOut",
    {
        "question_id": serializers.CharField(),
        "value": serializers.JSONField(),
        "version": serializers.IntegerField(),
        "revision": serializers.IntegerField(),
    },
)
ConflictOut = inline_serializer(
    "AnswerConflict",
    {
        "detail": serializers.CharField(),
        "mine": serializers.JSONField(),
        "theirs": serializers.JSONField(),
        "theirs_version": serializers.IntegerField(),
        "theirs_by": serializers.CharField(),
        "theirs_at": serializers.CharField(),
    },
)


class AssessmentAnswerApi(APIView):
    """Save one answer if nobody changed it since base_version; 409 with both values otherwise."""

    write_permissions = ("assessments.change_assessment",)
    parser_classes = [SafeJSONParser]

    @extend_schema(
        request=AnswerIn,
        responses={
            200: AnswerOut,
            409: ConflictOut,
            400: OpenApiResponse(description="Invalid value"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        assessment = get_object_or_404(Assessment, pk=pk)
        question_id = str(request.data.get("question_id", ""))
        try:
            base_version = int(request.data.get("base_version"))
        except (TypeError, ValueError):
            raise ValidationError({"base_version": "An integer is required."}) from None
        try:
            revision, version = answer_save(
                actor=request.user,
                assessment=assessment,
                question_id=question_id,
                raw=request.data.get("value"),
                base_version=base_version,
            )
        except AnswerConflict as conflict:
            return Response(
                {
                    "detail": str(conflict),
                    "mine": conflict.mine,
                    "theirs": conflict.theirs,
                    "theirs_version": conflict.theirs_version,
                    "theirs_by": conflict.theirs_by,
                    "theirs_at": conflict.theirs_at,
                },
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as err:
            raise _drf_error(err) from err
        return Response(
            {
                "question_id": question_id,
                "value": revision.answers.get(question_id),
                "version": version,
                "revision": revision.number,
            }
        )


TransitionIn = inline_serializer(
    "TransitionIn",
    {
        "action": serializers.ChoiceField(choices=["submit", "approve", "return"]),
        "reason": serializers.CharField(required=False, help_text="Required to return."),
        "attest": serializers.BooleanField(
            required=False,
            help_text="Required to approve: true signs the approval statement, which the audit "
            "entry records word for word.",
        ),
    },
)


class AssessmentTransitionApi(APIView):
    """submit (editors), approve or return (compliance officer/admin; four-eyes applies)."""

    write_permissions = ("assessments.change_assessment",)
    parser_classes = [SafeJSONParser, SafeFormParser]

    @extend_schema(
        request=TransitionIn,
        responses={
            200: AssessmentSerializer,
            400: OpenApiResponse(
                description="Not allowed in this state, or required answers missing"
            ),
            403: OpenApiResponse(description="Role or four-eyes rule"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        assessment = get_object_or_404(Assessment, pk=pk)
        action = request.data.get("action")
        try:
            if action == "submit":
                assessment_submit(actor=request.user, assessment=assessment)
            elif action == "approve":
                statement = approval_attestation(assessment.current_revision)
                if request.data.get("attest") not in (True, "true", "yes"):
                    raise ValidationError(
                        {"attest": f'Send "attest": true to sign this statement: {statement}'}
                    )
                assessment_approve(actor=request.user, assessment=assessment, attestation=statement)
            elif action == "return":
                assessment_return(
                    actor=request.user, assessment=assessment, reason=request.data.get("reason", "")
                )
            else:
                raise ValidationError({"action": "Choose submit, approve or return."})
        except DjangoValidationError as err:
            raise _drf_error(err) from err
        assessment.refresh_from_db()
        return Response(AssessmentSerializer(assessment).data)


class EvidenceFileSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    item_key = serializers.CharField(
        source="checklist_item.key", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = EvidenceFile
        fields = ["id", "vendor", "system", "checklist_item", "item_key", "item_status", "name",
                  "content_type", "kind", "size", "sha256", "uploaded_by", "uploaded_at",
                  "effective_date", "expiry_date", "version", "supersedes", "note"]  # fmt: skip
        read_only_fields = fields


class EvidenceUploadSerializer(serializers.Serializer):
    item_status = serializers.PrimaryKeyRelatedField(queryset=ChecklistItemStatus.objects.all())
    file = serializers.FileField()
    effective_date = serializers.DateField(required=False, allow_null=True)
    expiry_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class EvidenceFileListApi(generics.ListAPIView):
    """Evidence files (every version); upload with multipart POST (sniffed, size-limited)."""

    serializer_class = EvidenceFileSerializer
    write_permissions = ("assessments.upload_evidence",)
    parser_classes = [SafeMultiPartParser, SafeFormParser]
    filterset_class = EvidenceFileFilter

    def get_queryset(self) -> QuerySet[EvidenceFile]:
        return evidence_file_list()

    @extend_schema(
        request=EvidenceUploadSerializer,
        responses={
            201: EvidenceFileSerializer,
            400: OpenApiResponse(description="File type, size or dates rejected"),
        },
    )
    def post(self, request: Request) -> Response:
        form = EvidenceUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            evidence = evidence_upload(
                actor=request.user,
                item_status=data["item_status"],
                upload=data["file"],
                effective_date=data.get("effective_date"),
                expiry_date=data.get("expiry_date"),
                note=data.get("note", ""),
            )
        except DjangoValidationError as err:
            raise _drf_error(err) from err
        return Response(EvidenceFileSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceFileDetailApi(generics.RetrieveAPIView):
    serializer_class = EvidenceFileSerializer

    def get_queryset(self) -> QuerySet[EvidenceFile]:
        return evidence_file_list()


class ChecklistItemSerializer(serializers.ModelSerializer):
    key = serializers.CharField(source="item.key", read_only=True)
    title = serializers.CharField(source="item.title", read_only=True)
    citation = serializers.CharField(source="item.citation", read_only=True)

    class Meta:
        model = ChecklistItemStatus
        fields = [
            "id",
            "key",
            "title",
            "citation",
            "status",
            "reason",
            "current_file",
            "updated_at",
        ]


class ChecklistSerializer(serializers.ModelSerializer):
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = VendorChecklist
        fields = ["id", "vendor", "system", "created_at", "synced_at", "items"]


class ChecklistListApi(generics.ListAPIView):
    """Filter with ?vendor= and ?system=."""

    serializer_class = ChecklistSerializer
    filterset_class = VendorChecklistFilter

    def get_queryset(self) -> QuerySet[VendorChecklist]:
        return checklist_list(items=ChecklistItemStatus.objects.select_related("item"))
