"""Pack pages: list, create, detail with live progress, downloads, verification and the public key."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from core.htmx import HtmxHttpRequest, error_text, redirect_to, render_partial
from core.permissions import permission_required, reader_required
from evidence import signing
from evidence.forms import PackCreateForm, VerifyForm
from evidence.manifest import verify_pack
from evidence.models import EvidencePack
from evidence.selectors import pack_list
from evidence.services import EXPORT_PERMISSION, pack_create, pack_download_record, pack_retry

MAX_VERIFY_UPLOAD = 2 * 1024**3


@require_GET
@reader_required
def pack_list_view(request: HtmxHttpRequest) -> HttpResponse:
    page = Paginator(pack_list(filters=request.GET), 25).get_page(request.GET.get("page"))
    return render(request, "evidence/pack_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
@permission_required(EXPORT_PERMISSION)
def pack_create_view(request: HtmxHttpRequest) -> HttpResponse:
    form = PackCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        systems = list(form.cleaned_data["systems"]) or None
        try:
            pack = pack_create(
                actor=request.user,
                regime=form.cleaned_data["regime"],
                systems=systems,
                period_from=form.cleaned_data["period_from"],
                period_to=form.cleaned_data["period_to"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect_to(request, pack.get_absolute_url())
    return render_partial(
        request,
        page="evidence/pack_create.html",
        partial="evidence/partials/pack_form.html",
        context={"form": form},
    )


@require_GET
@reader_required
def pack_detail_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    pack = get_object_or_404(EvidencePack.objects.select_related("created_by"), pk=pk)
    return render(
        request,
        "evidence/pack_detail.html",
        {"pack": pack, "systems": pack.systems.order_by("name")[:200]},
    )


@require_GET
@reader_required
def pack_progress_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    pack = get_object_or_404(EvidencePack, pk=pk)
    response = render(request, "evidence/partials/pack_progress.html", {"pack": pack})
    if pack.is_finished:
        return HttpResponseStopPolling(response.content)
    return response


@require_POST
@permission_required(EXPORT_PERMISSION)
def pack_retry_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    pack = get_object_or_404(EvidencePack, pk=pk)
    try:
        pack_retry(actor=request.user, pack=pack)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Pack #{pack.pk} queued to be built again.")
    return redirect_to(request, pack.get_absolute_url())


@require_GET
@permission_required(EXPORT_PERMISSION)
def pack_download_view(request: HtmxHttpRequest, pk: int, kind: str) -> FileResponse:
    pack = get_object_or_404(EvidencePack, pk=pk, status=EvidencePack.Status.DONE)
    rel = pack.zip_path if kind == "zip" else pack.pdf_path
    path = Path(settings.SIGHTLINE_STORAGE_DIR) / rel
    if not rel or not path.is_file():
        raise Http404("The pack file is no longer in storage.")
    pack_download_record(actor=request.user, pack=pack, kind=kind)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{pack.download_name}.{kind}",
        content_type="application/zip" if kind == "zip" else "application/pdf",
    )


@require_http_methods(["GET", "POST"])
@reader_required
def verify_view(request: HtmxHttpRequest) -> HttpResponse:
    form = VerifyForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["pack"]
        if upload.size > MAX_VERIFY_UPLOAD:
            form.add_error("pack", "The file is larger than 2 GB; use manage.py verify_pack.")
        else:
            # Large uploads are already spooled to a temporary file by Django; both kinds seek.
            upload.seek(0)
            report = verify_pack(upload.file)
    return render_partial(
        request,
        page="evidence/verify.html",
        partial="evidence/partials/verify_result.html",
        context={"form": form, "report": report, "upload_name": _upload_name(form)},
    )


def _upload_name(form: Form) -> str:
    upload = form.cleaned_data.get("pack") if hasattr(form, "cleaned_data") else None
    return upload.name if upload else ""


@require_GET
def public_key_view(request: HtmxHttpRequest) -> HttpResponse:
    """Public on purpose: a regulator without an account must be able to fetch the key."""
    try:
        key = signing.public_key()
    except signing.SigningKeyMissing:
        return render(request, "evidence/public_key.html", {"missing": True}, status=503)
    return render(
        request,
        "evidence/public_key.html",
        {"pem": signing.public_key_pem(key), "fingerprint": signing.fingerprint(key)},
    )


@require_GET
def public_key_pem_view(request: HtmxHttpRequest) -> HttpResponse:
    try:
        pem = signing.public_key_pem()
    except signing.SigningKeyMissing as exc:
        raise Http404("No signing key is configured.") from exc
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="sightline-pack-signing.pub.pem"'
    return response
