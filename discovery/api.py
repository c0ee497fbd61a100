"""Discovery API: runs, findings, discovered apps, the blocklist and triage actions."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.htmx import error_text
from discovery.filters import (
    BlocklistEntryFilter,
    DiscoveredAppFilter,
    FindingFilter,
    IngestRunFilter,
)
from discovery.models import BlocklistEntry, Finding, IngestFile, IngestRun
from discovery.selectors import (
    AppUsageRows,
    blocklist_entry_list,
    can_see_samples,
    finding_list,
    ingest_run_list,
)
from discovery.services.triage import (
    finding_assign,
    finding_block,
    finding_dismiss,
    finding_sanction,
)


class IngestFileSerializer(serializers.ModelSerializer):
    lines_prefiltered = serializers.IntegerField(read_only=True)
    duplicate_of_run = serializers.IntegerField(
        source="duplicate_of.run_id", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = IngestFile
        fields = [
            "index", "file_name", "size", "sha256", "content_sha256", "format",
            "format_requested", "format_detected", "status", "message", "offset",
            "duplicate_of_run", "lines_read", "lines_parsed", "lines_skipped", "lines_prefiltered",
            "lines_header", "lines_matched", "events_duplicate", "skip_counts",
        ]  # fmt: skip


class IngestRunSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    skip_samples = serializers.SerializerMethodField(
        help_text="Redacted sample lines per skip reason; empty unless you can edit discovery."
    )
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)
    lines_prefiltered = serializers.IntegerField(read_only=True)
    source = serializers.StringRelatedField()

    class Meta:
        model = IngestRun
        fields = [
            "id", "source", "format", "file_name", "sha256", "size", "status", "attention",
            "percent", "files_total", "events_duplicate",
            "bytes_done", "bytes_total", "lines_read", "lines_parsed", "lines_skipped",
            "lines_prefiltered", "lines_header", "lines_matched", "skip_counts", "skip_samples",
            "chunks_total", "findings_count",
            "error", "created_at", "started_at", "finished_at", "duration_seconds",
        ]  # fmt: skip

    def get_skip_samples(self, run: IngestRun) -> dict[str, list[str]]:
        request = self.context.get("request")
        return run.skip_samples if can_see_samples(getattr(request, "user", None)) else {}


class IngestRunDetailSerializer(IngestRunSerializer):
    """A run with its files: per-file detection, hashes, counts and state."""

    files = IngestFileSerializer(many=True, read_only=True)

    class Meta(IngestRunSerializer.Meta):
        fields = [*IngestRunSerializer.Meta.fields, "files"]


class FindingSerializer(serializers.ModelSerializer):
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id", "kind", "severity", "title", "app_key", "host", "principal", "source_ip",
            "region", "evidence", "occurrences", "first_seen", "last_seen", "state", "assignee",
            "dismiss_reason", "system", "run", "created_at", "updated_at",
        ]  # fmt: skip


class BlocklistEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = BlocklistEntry
        fields = ["id", "domain", "app_key", "reason", "finding", "created_at"]


class IngestRunListApi(generics.ListAPIView):
    serializer_class = IngestRunSerializer
    filterset_class = IngestRunFilter

    def get_queryset(self) -> QuerySet[IngestRun]:
        return ingest_run_list()


RUN_FILES = Prefetch("files", IngestFile.objects.select_related("duplicate_of").order_by("index"))


class IngestRunDetailApi(generics.RetrieveAPIView):
    serializer_class = IngestRunDetailSerializer
    queryset = IngestRun.objects.prefetch_related(RUN_FILES)


class FindingListApi(generics.ListAPIView):
    serializer_class = FindingSerializer
    filterset_class = FindingFilter

    def get_queryset(self) -> QuerySet[Finding]:
        return finding_list()


class FindingDetailApi(generics.RetrieveAPIView):
    serializer_class = FindingSerializer
    queryset = Finding.objects.select_related("assignee")


class DiscoveredAppSerializer(serializers.Serializer):
    """A row of discovered_app_rows(): usage totals per app (or unknown host) and its status."""

    app_key = serializers.CharField(help_text="Catalogue key; empty for an unknown host.")
    host = serializers.CharField(help_text="Empty for a catalogue app.")
    name = serializers.CharField()
    vendor = serializers.CharField()
    category = serializers.CharField()
    risk = serializers.DictField()
    known = serializers.BooleanField(help_text="In the AI service catalogue.")
    users = serializers.IntegerField()
    requests = serializers.IntegerField()
    bytes_up = serializers.IntegerField()
    bytes_down = serializers.IntegerField()
    first_seen = serializers.DateTimeField(allow_null=True)
    last_seen = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField(
        help_text="The linked system's sanction status, else blocked or unreviewed."
    )
    system = serializers.IntegerField(source="system.pk", allow_null=True, read_only=True)


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, description="Name, vendor or host contains."),
        OpenApiParameter("category", str),
        OpenApiParameter("status", str, description="e.g. unreviewed, blocked, sanctioned."),
        OpenApiParameter("since", OpenApiTypes.DATE, description="Usage on or after this day."),
        OpenApiParameter("known", str, enum=["yes", "no"], description="In the catalogue or not."),
        OpenApiParameter(
            "order",
            str,
            description="requests, users, name, bytes_up, first_seen or last_seen; '-' sorts "
            "descending. Default (and for anything else) -requests.",
        ),
    ]
)
class DiscoveredAppListApi(generics.ListAPIView):
    """One row per app or unknown host, filtered like the HTML page; paginated like every list."""

    serializer_class = DiscoveredAppSerializer
    filterset_class = DiscoveredAppFilter

    def get_queryset(self) -> AppUsageRows:
        return AppUsageRows()


class BlocklistApi(generics.ListAPIView):
    serializer_class = BlocklistEntrySerializer
    filterset_class = BlocklistEntryFilter

    def get_queryset(self) -> QuerySet[BlocklistEntry]:
        return blocklist_entry_list()


class TriageInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    assignee = serializers.CharField(required=False, allow_blank=True, default="")


class FindingTriageApi(APIView):
    """POST sanction | block | dismiss | assign; the same services as the buttons, same audit trail."""

    write_permissions = ("discovery.triage_finding",)
    ACTIONS = ("sanction", "block", "dismiss", "assign")

    @extend_schema(
        request=TriageInput,
        responses=FindingSerializer,
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=ACTIONS)],
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        if action not in self.ACTIONS:
            return Response(
                {"detail": f"Unknown action {action!r}."}, status=status.HTTP_404_NOT_FOUND
            )
        finding = get_object_or_404(Finding, pk=pk)
        data = TriageInput(data=request.data)
        data.is_valid(raise_exception=True)
        args = data.validated_data
        try:
            if action == "sanction":
                finding_sanction(finding=finding, actor=request.user, note=args["note"])
            elif action == "block":
                finding_block(finding=finding, actor=request.user, reason=args["reason"])
            elif action == "dismiss":
                finding_dismiss(finding=finding, actor=request.user, reason=args["reason"])
            else:
                User = get_user_model()
                assignee = User.objects.filter(username=args["assignee"]).first()
                finding_assign(finding=finding, actor=request.user, assignee=assignee)
        except DjangoValidationError as exc:
            return Response({"detail": error_text(exc)}, status=status.HTTP_400_BAD_REQUEST)
        finding.refresh_from_db()
        return Response(FindingSerializer(finding).data)
