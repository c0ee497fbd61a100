"""The OAuth client ids of blocked AI apps, for the Workspace and Entra admin consoles."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from core.htmx import HtmxHttpRequest
from core.permissions import reader_required
from discovery.oauth_block import (
    OAUTH_EXPORT_FILENAME,
    export_oauth_client_ids,
    oauth_blocked_clients,
)


@require_GET
@reader_required
def oauth_client_ids_export(request: HtmxHttpRequest) -> HttpResponse:
    response = HttpResponse(
        export_oauth_client_ids(oauth_blocked_clients()), content_type="text/plain; charset=utf-8"
    )
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{OAUTH_EXPORT_FILENAME}"'
    return response
