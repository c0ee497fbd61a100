"""API tokens page: each user sees and revokes only their own; a new token is shown once."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.htmx import HtmxHttpRequest
from core.permissions import reader_required
from core.tokens import api_token_create, api_token_list, api_token_revoke


@never_cache
@require_http_methods(["GET", "POST"])
@reader_required
def api_tokens(request: HtmxHttpRequest) -> HttpResponse:
    new_token = ""
    if request.method == "POST":
        _, new_token = api_token_create(user=request.user)
    return render(
        request,
        "core/api_tokens.html",
        {
            "tokens": api_token_list(user=request.user),
            "new_token": new_token,
            "ttl_days": settings.SIGHTLINE_API_TOKEN_DAYS,
        },
    )


@require_POST
@reader_required
def api_token_revoke_page(request: HtmxHttpRequest, token_key: str) -> HttpResponse:
    if not api_token_revoke(actor=request.user, token_key=token_key):
        raise Http404("No such token of yours.")
    messages.success(request, f"API token {token_key}… revoked.")
    return redirect("api-tokens")
