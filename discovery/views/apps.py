"""Discovered AI: one row per app, a per-app usage page and the CSV export."""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from core.csvio import csv_writer
from core.htmx import HtmxHttpRequest, render_partial
from core.permissions import permission_required, reader_required
from discovery.analytics import app_usage_series
from discovery.models import DiscoveredApp, Finding
from discovery.risk import app_risk_score
from discovery.selectors import (
    APP_STATUS_LABELS,
    app_status,
    app_top_identities,
    app_top_teams,
    blocklist_domains,
    catalog_app_get,
    catalog_apps_by_key,
    discovered_app_rows,
)
from discovery.selectors_usage import (
    app_grants,
    app_model_usage,
    oauth_app_rows,
    usage_chart_data,
    usage_day_rows,
    usage_series,
)
from discovery.services.bulk import BULK_ACTIONS
from discovery.services.triage import assignable_users
from discovery.templatetags.discovery_tags import category_label

STATUS_CHOICES = list(APP_STATUS_LABELS.items())
APPS_PER_PAGE = 50
FINDINGS_ON_APP_PAGE = 200


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
    usage = app_usage_series(app_key=app_key, host=host)
    grants = app_grants(app_key=app_key) if app_key else []
    day_rows = usage_day_rows(app_model_usage(app_key=app_key)) if app_key else []
    by_team = usage_series(day_rows, by="team")
    by_model = usage_series(day_rows, by="model")
    has_model_usage = bool(by_team["labels"])
    if cat is None and app is None and not usage["rows"] and not grants and not has_model_usage:
        raise Http404("No such app.")
    hosts = sorted({h.host for h in cat.hosts.all()}) if cat else [host]
    chart = {k: usage[k] for k in ("labels", "requests", "users")}
    findings = sorted(  # open ones first: they are the ones to triage
        Finding.objects.filter(app_key=app_key, host=host)
        .select_related("system", "assignee")
        .order_by("-last_seen", "-pk")[:FINDINGS_ON_APP_PAGE],
        key=lambda f: not f.is_open,
    )
    can_triage = request.user.has_perm("discovery.triage_finding")
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
            "daily": usage["rows"],
            "days_with_traffic": usage["days_with_traffic"],
            "totals": usage.get("totals", {"requests": 0, "bytes_up": 0, "bytes_down": 0}),
            "risk_score": app_risk_score(
                category=cat.category if cat else None,
                risk=cat.risk if cat else None,
                known=cat is not None,
                category_label=category_label(cat.category) if cat else "",
            ),
            "top_users": app_top_identities(app_key=app_key, host=host),
            "top_teams": app_top_teams(app_key=app_key, host=host),
            "findings": findings,
            "open_findings": [f for f in findings if f.is_open] if can_triage else [],
            "can_triage": can_triage,
            "assignees": assignable_users() if can_triage else [],
            "bulk_actions": BULK_ACTIONS,
            "grants": grants,
            "oauth": (oauth_app_rows(app_key=app_key) or [None])[0] if grants else None,
            "by_team": by_team,
            "by_model": by_model,
            "team_chart": usage_chart_data(by_team) if has_model_usage else None,
            "model_chart": usage_chart_data(by_model) if has_model_usage else None,
            "has_model_usage": has_model_usage,
        },
    )
