"""Discovery API: runs, findings, discovered apps, the blocklist and triage actions."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from discovery.filters import FindingFilter, IngestRunFilter
from discovery.models import BlocklistEntry, Finding, IngestRun
from discovery.selectors import discovered_app_rows, finding_list, ingest_run_list
from discovery.services.triage import (
    finding_assign,
    finding_block,
    finding_dismiss,
    finding_sanction,
)


class IngestRunSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    duration_seconds = serializers.FloatField(read_only=True, allow_null=True)
    source = serializers.StringRelatedField()

    class Meta:
        model = IngestRun
        fields = [
            "id", "source", "format", "file_name", "sha256", "size", "status", "percent",
            "bytes_done", "bytes_total", "lines_read", "lines_parsed", "lines_skipped",
            "lines_matched", "skip_counts", "skip_samples", "chunks_total", "findings_count",
            "error", "created_at", "started_at", "finished_at", "duration_seconds",
        ]  # fmt: skip


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

    def get_queryset(self):
        return ingest_run_list()


class IngestRunDetailApi(generics.RetrieveAPIView):
    serializer_class = IngestRunSerializer
    queryset = IngestRun.objects.all()


class FindingListApi(generics.ListAPIView):
    serializer_class = FindingSerializer
    filterset_class = FindingFilter

    def get_queryset(self):
        return finding_list()


class FindingDetailApi(generics.RetrieveAPIView):
    serializer_class = FindingSerializer
    queryset = Finding.objects.select_related("assignee")


class DiscoveredAppSerializer(serializers.Serializer):
    app_key = serializers.CharField()
    host = serializers.CharField()
    name = serializers.CharField()
    vendor = serializers.CharField()
    category = serializers.CharField()
    risk = serializers.DictField()
    users = serializers.IntegerField()
    requests = serializers.IntegerField()
    bytes_up = serializers.IntegerField()
    bytes_down = serializers.IntegerField()
    first_seen = serializers.DateTimeField(allow_null=True)
    last_seen = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField()
    system = serializers.IntegerField(allow_null=True)


class DiscoveredAppListApi(APIView):
    """One row per app or unknown host, filtered like the HTML page (q, category, status, since)."""

    @extend_schema(responses=DiscoveredAppSerializer(many=True))
    def get(self, request):
        rows = discovered_app_rows(filters=request.query_params)
        data = [
            {
                "app_key": r["app_key"], "host": r["host"], "name": r["name"], "vendor": r["vendor"],
                "category": r["category"], "risk": r["risk"], "users": r["users"],
                "requests": r["requests"], "bytes_up": r["bytes_up"], "bytes_down": r["bytes_down"],
                "first_seen": r["first_seen"], "last_seen": r["last_seen"], "status": r["status"],
                "system": r["system"].pk if r["system"] else None,
            }
            for r in rows
        ]  # fmt: skip
        return Response({"count": len(data), "results": data})


class BlocklistApi(generics.ListAPIView):
    serializer_class = BlocklistEntrySerializer
    queryset = BlocklistEntry.objects.all()


class TriageInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    assignee = serializers.CharField(required=False, allow_blank=True, default="")


class FindingTriageApi(APIView):
    """POST sanction | block | dismiss | assign; the same services as the buttons, same audit trail."""

    write_permissions = ("discovery.triage_finding",)
    ACTIONS = ("sanction", "block", "dismiss", "assign")

    @extend_schema(request=TriageInput, responses=FindingSerializer)
    def post(self, request, pk: int, action: str):
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
            return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
        finding.refresh_from_db()
        return Response(FindingSerializer(finding).data)
