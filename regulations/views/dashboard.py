"""The dashboard (also the site's home page)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.htmx import HtmxHttpRequest
from core.permissions import reader_required
from regulations.dashboard import dashboard_data


@require_GET
@reader_required
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """Also the site's home page (sightline/urls.py)."""
    return render(request, "regulations/dashboard.html", dashboard_data())
