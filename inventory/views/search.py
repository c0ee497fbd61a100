"""System picker: a bounded name search that other apps' forms fill in with HTMX."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.htmx import HtmxHttpRequest
from core.permissions import reader_required
from inventory.selectors import SEARCH_LIMIT, ai_system_search


@require_GET
@reader_required
def system_search(request: HtmxHttpRequest) -> HttpResponse:
    """HTML radios (`name="system"`, value = pk), so the enclosing form posts a pk as before.

    `q` is the canonical parameter; `system_name` is what a picker's own text input sends.
    """
    query = (request.GET.get("q") or request.GET.get("system_name") or "").strip()[:200]
    systems = ai_system_search(query=query, limit=SEARCH_LIMIT + 1)
    context = {
        "query": query,
        "systems": systems[:SEARCH_LIMIT],
        "more": len(systems) > SEARCH_LIMIT,
        "limit": SEARCH_LIMIT,
    }
    return render(request, "inventory/partials/system_choices.html", context)
