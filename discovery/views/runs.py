"""Ingest runs: upload (streamed to disk), the run list, and the live progress page."""

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from core.htmx import HtmxHttpRequest, error_text, redirect_to, render_partial
from core.ids import parse_id
from core.permissions import permission_required, reader_required
from discovery.conf import upload_max_bytes
from discovery.engine.parsers import format_choices
from discovery.models import IngestRun, LogSource
from discovery.selectors import can_see_samples, ingest_run_list
from discovery.services import ingest_batch_create, ingest_run_dispatch, ingest_run_retry


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Every upload goes to a temp file (never memory) and stops at the configured size."""

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.request.upload_too_large = True
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)


@require_GET
@reader_required
def run_list(request: HtmxHttpRequest) -> HttpResponse:
    page = Paginator(ingest_run_list(filters=request.GET), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "discovery/run_list.html",
        {"page": page, "can_ingest": request.user.has_perm("discovery.ingest_logs")},
    )


def _upload_form(request: HtmxHttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    return render_partial(
        request,
        page="discovery/run_upload.html",
        partial="discovery/partials/upload_form.html",
        context={
            "formats": format_choices(),
            "sources": LogSource.objects.filter(active=True),
            "max_bytes": upload_max_bytes(),
            "error": error,
            "f": request.POST,
        },
        status=status,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
@permission_required("discovery.ingest_logs")
def run_upload(request: HtmxHttpRequest) -> HttpResponse:
    """Handlers must be set before the body is read, so CSRF is checked after (Django docs pattern)."""
    if request.method == "POST":
        limit = upload_max_bytes()
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > limit + 64 * 1024:
            return _upload_form(
                request, error=f"The file is larger than the {filesizeformat(limit)} limit."
            )
        request.upload_handlers = [SizeLimitedUploadHandler(request, max_bytes=limit)]
    return _run_upload(request)


@csrf_protect
def _run_upload(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _upload_form(request)
    if getattr(request, "upload_too_large", False):
        return _upload_form(
            request,
            error=f"The file is larger than the {filesizeformat(upload_max_bytes())} limit.",
        )
    uploads = request.FILES.getlist("file")
    if not uploads:
        return _upload_form(request, error="Choose a log file to upload.")
    source = None
    if (source_id := parse_id(request.POST.get("source"))) is not None:
        source = LogSource.objects.filter(pk=source_id).first()
    fmt = request.POST.get("format", "").strip()
    try:
        with transaction.atomic():
            batch = ingest_batch_create(
                files=[(Path(u.temporary_file_path()), u.name) for u in uploads],
                actor=request.user,
                source=source,
                fmt=fmt,
                move_into_storage=True,
            )
            run = batch.run
            if batch.created:
                transaction.on_commit(lambda: ingest_run_dispatch(run_id=run.pk))
    except ValidationError as exc:
        return _upload_form(request, error=error_text(exc))
    if not batch.created:
        messages.info(
            request,
            f"This content (sha256 {run.sha256[:12]}…) was already ingested as run #{run.pk}; "
            "nothing was counted twice.",
        )
    elif batch.duplicates:
        messages.info(
            request,
            f"{len(batch.duplicates)} file(s) were already ingested and are not counted again: "
            + ", ".join(f"{name} (run #{pk})" for name, pk in batch.duplicates[:10]),
        )
    return redirect_to(request, reverse("discovery:run-detail", kwargs={"pk": run.pk}))


def _run_context(run: IngestRun, user) -> dict:
    """Skipped lines are raw log text: only people who can edit discovery see the samples."""
    skips = sorted(run.skip_counts.items(), key=lambda kv: -kv[1])
    samples = run.skip_samples if can_see_samples(user) else {}
    return {
        "run": run,
        "files": list(run.files.select_related("duplicate_of", "prefix_of").order_by("index")),
        "show_samples": can_see_samples(user),
        "skips": [(reason, n, samples.get(reason, [])) for reason, n in skips],
        "chunks": {
            "done": run.chunks.filter(status="done").count(),
            "total": run.chunks_total,
        },
        "parts": {  # the batch's write, once every chunk is read
            "done": run.parts.filter(status="done").count(),
            "total": run.write_parts + 1,
        },
    }


@require_GET
@reader_required
def run_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(IngestRun.objects.select_related("source", "created_by"), pk=pk)
    context = _run_context(run, request.user) | {
        "can_ingest": request.user.has_perm("discovery.ingest_logs")
    }
    return render(request, "discovery/run_detail.html", context)


@require_GET
@reader_required
def run_progress(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Polled every second; once the run has stopped, answers 286 so htmx stops polling."""
    run = get_object_or_404(IngestRun, pk=pk)
    context = _run_context(run, request.user) | {
        "can_ingest": request.user.has_perm("discovery.ingest_logs")
    }
    response = render(request, "discovery/partials/run_progress.html", context)
    if run.is_active:
        return response
    return HttpResponseStopPolling(response.content)


@require_POST
@permission_required("discovery.ingest_logs")
def run_retry(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(IngestRun, pk=pk)
    try:
        ingest_run_retry(run=run, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Run #{run.pk} queued again; finished chunks are kept.")
    return redirect_to(request, reverse("discovery:run-detail", kwargs={"pk": run.pk}))
