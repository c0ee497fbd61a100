"""File downloads shared by the assessment and vendor-evidence views."""

from __future__ import annotations

from django.http import FileResponse, Http404

from core.storage import ALLOWED, blob_exists, open_blob, safe_download_name

SAFE_TYPES = {s.content_type for s in ALLOWED.values()}


def blob_download(*, sha256: str, name: str, content_type: str, kind: str) -> FileResponse:
    """Always an attachment with a content type from the allow-list, so nothing renders inline."""
    if not blob_exists(sha256):
        raise Http404("The stored file is missing.")
    if content_type not in SAFE_TYPES:
        content_type = "application/octet-stream"
    if content_type.startswith("text/"):
        content_type = f"{content_type}; charset=utf-8"
    extension = ALLOWED[kind].extension if kind in ALLOWED else "bin"
    response = FileResponse(
        open_blob(sha256),
        as_attachment=True,
        filename=safe_download_name(name, extension),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["ETag"] = f'"{sha256}"'
    return response
