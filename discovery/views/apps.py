"""Discovered AI: one row per app, a per-app usage page and the CSV export."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from core.csvio import csv_writer
from core.htmx import HtmxHttpRequest, render_partial
from core.permissions import permission_required, reader_required
from discovery.models import DiscoveredApp, Finding
from discovery.selectors import (
    APP_STATUS_LABELS,
    app_status,
    app_top_identities,
    app_top_teams,
    app_usage_daily,
    blocklist_domains,
    catalog_app_get,
    catalog_apps_by_key,
    discovered_app_rows,
)

STATUS_CHOICES = list(APP_STATUS_LABELS.items())
APPS_PER_PAGE = 50


def _subject(row: dict) -> str:
    return row["app_key"] or f"host:{row['host']}"


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def app_list(request: HtmxHttpRequest) -> HttpResponse:
    catalog = catalog_apps_by_key()  # one read of the catalogue for the rows and the filter
    rows = discovered_app_rows(filters=request.GET, catalog=catalog)
    # Drawing a row costs far more than summing it: the totals cover every row, the table a page.
    page = Paginator(rows, APPS_PER_PAGE).get_page(request.GET.get("page"))
    for row in page:
        row["subject"] = _subject(row)
    categories = sorted({a.category for a in catalog.values() if a.category})
    context = {
        "rows": rows,
        "page": page,
        "categories": categories,
        "statuses": STATUS_CHOICES,
        "f": request.GET,
        "totals": {
            "apps": len(rows),
            "requests": sum(r["requests"] for r in rows),
            "open_findings": Finding.objects.filter(state__in=Finding.OPEN_STATES).count(),
        },
    }
    return render_partial(
        request,
        page="discovery/app_list.html",
        partial="discovery/partials/app_table.html",
        context=context,
    )


@require_GET
@permission_required("core.export_data")
def app_export(request: HtmxHttpRequest) -> HttpResponse:
    rows = discovered_app_rows(filters=request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sightline-discovered-ai.csv"'
    writer = csv_writer(response)
    writer.writerow(
        [
            "app",
            "host",
            "vendor",
            "category",
            "status",
            "users",
            "requests",
            "bytes_up",
            "bytes_down",
            "first_seen",
            "last_seen",
            "trains_on_customer_data",
            "enterprise_sso",
        ]
    )
    for r in rows:
        risk = r["risk"] or {}
        writer.writerow(
            [
                r["name"],
                r["host"],
                r["vendor"],
                r["category"],
                r["status"],
                r["users"],
                r["requests"],
                r["bytes_up"],
                r["bytes_down"],
                r["first_seen"].isoformat() if r["first_seen"] else "",
                r["last_seen"].isoformat() if r["last_seen"] else "",
                risk.get("trains_on_customer_data"),
                risk.get("enterprise_sso"),
            ]
        )
    return response


@require_GET
@reader_required
def app_detail(request: HtmxHttpRequest, subject: str) -> HttpResponse:
    app_key, host = ("", subject[5:]) if subject.startswith("host:") else (subject, "")
    cat = catalog_app_get(key=app_key) if app_key else None
    app = (
        DiscoveredApp.objects.select_related("system", "first_run")
        .filter(app_key=app_key, host=host)
        .first()
    )
    daily = app_usage_daily(app_key=app_key, host=host)
    if cat is None and app is None and not daily:
        raise Http404("No such app.")
    hosts = sorted({h.host for h in cat.hosts.all()}) if cat else [host]
    chart = {
        "labels": [d["day"].isoformat() for d in daily],
        "requests": [d["requests"] for d in daily],
        "users": [d["users"] for d in daily],
    }
    findings = Finding.objects.filter(app_key=app_key, host=host).select_related("system")[:50]
    return render(
        request,
        "discovery/app_detail.html",
        {
            "subject": subject,
            "cat": cat,
            "app": app,
            "host": host,
            "hosts": hosts,
            "name": cat.name if cat else (app.name if app else host),
            "status": app_status(app=app, blocked=set(blocklist_domains()), hosts=hosts),
            "chart": chart,
            "daily": daily,
            "totals": {
                "requests": sum(d["requests"] for d in daily),
                "bytes_up": sum(d["bytes_up"] or 0 for d in daily),
                "bytes_down": sum(d["bytes_down"] or 0 for d in daily),
            },
            "top_users": app_top_identities(app_key=app_key, host=host),
            "top_teams": app_top_teams(app_key=app_key, host=host),
            "findings": findings,
        },
    )
