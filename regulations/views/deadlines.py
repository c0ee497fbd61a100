"""Deadline pages: list and month calendar (shared filters), mark done, ICS feed and its token."""

from __future__ import annotations

import calendar
import datetime as dt
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from core.extensions import app_hooks
from core.htmx import HtmxHttpRequest, is_partial, render_partial
from core.permissions import permission_required, reader_required
from inventory.models import AISystem
from regulations.filters import STATUSES, DeadlineFilter
from regulations.forms import CompleteForm
from regulations.models import CalendarToken, Deadline, DeadlineSpec, Regime
from regulations.selectors import deadline_filterset
from regulations.services import deadline_complete
from regulations.services.calendar import (
    calendar_feed,
    calendar_token_issue,
    calendar_token_revoke,
    calendar_user_for_token,
    deadlines_for_feed,
)


def _chosen(filterset: DeadlineFilter) -> dict[str, str]:
    """The filter values as sent, for the form's selected options and the calendar's links."""
    values = {name: str(filterset.form[name].value() or "").strip() for name in filterset.filters}
    return {name: value for name, value in values.items() if value}


def _filter_choices() -> dict:
    User = get_user_model()
    return {
        "regimes": Regime.objects.all(),
        "systems": AISystem.objects.filter(deadlines__isnull=False).distinct().order_by("name"),
        "owners": User.objects.filter(deadlines__isnull=False).distinct().order_by("username"),
        "statuses": STATUSES,
    }


def _with_evidence(deadlines) -> None:
    """Organisation-wide content deadlines get `evidence` from later apps' records for the
    obligations their spec names (e.g. the AI-literacy coverage beside the EU Art 4 date); no
    query unless such a row is on the page."""
    rows = [d for d in deadlines if d.system_id is None and d.source_type == "content_deadline"]
    if not rows:
        return
    suffixes = {d.source_id.split(":", 1)[-1].rsplit(".deadline.", 1)[-1] for d in rows}
    obligations: dict[tuple[str, str], list[str]] = {}
    for code, key, linked in DeadlineSpec.objects.filter(
        content_version__regime__code__in={d.regime_code for d in rows}
    ).values_list("content_version__regime__code", "key", "obligations"):
        suffix = key.rsplit(".deadline.", 1)[-1]
        if suffix in suffixes:
            obligations.setdefault((code, suffix), []).extend(linked or [])
    wanted = sorted({(c, o) for (c, _), keys in obligations.items() for o in keys})
    found: dict = {}
    for hook in app_hooks("obligation_evidence") if wanted else []:
        found.update(hook.target(obligations=wanted))
    for d in rows:
        suffix = d.source_id.split(":", 1)[-1].rsplit(".deadline.", 1)[-1]
        keys = obligations.get((d.regime_code, suffix), [])
        d.evidence = next(
            (found[(d.regime_code, k)] for k in keys if (d.regime_code, k) in found), None
        )


def _querystring(filters: dict[str, str]) -> str:
    return urlencode(filters)


@require_GET
@reader_required
@vary_on_headers("HX-Request")
def deadline_list_view(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filterset = deadline_filterset(filters=request.GET, today=today)
    filters = _chosen(filterset)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    _with_evidence(page.object_list)
    context = {
        "page": page,
        "filters": filters,
        "today": today,
        "qs": _querystring(filters),
        "can_complete": request.user.has_perm("regulations.complete_deadline"),
        **_filter_choices(),
    }
    return render_partial(
        request,
        page="regulations/deadline_list.html",
        partial="regulations/partials/deadline_table.html",
        context=context,
    )


def _month(value: str, today: dt.date) -> dt.date:
    try:
        year, month = (int(part) for part in value.split("-", 1))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)


@require_GET
@reader_required
def deadline_calendar(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filterset = deadline_filterset(filters=request.GET, today=today)
    filters = _chosen(filterset)
    first = _month(request.GET.get("month", ""), today)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = weeks[0][0], weeks[-1][-1]
    by_day: dict[dt.date, list[Deadline]] = {}
    for deadline in filterset.qs.filter(due_date__range=(start, end)):
        by_day.setdefault(deadline.due_date, []).append(deadline)
    grid = [
        [
            {"date": day, "in_month": day.month == first.month, "items": by_day.get(day, [])}
            for day in week
        ]
        for week in weeks
    ]
    context = {
        "grid": grid,
        "month": first,
        "today": today,
        "filters": filters,
        "qs": _querystring(filters),
        "prev": (first - relativedelta(months=1)).strftime("%Y-%m"),
        "next": (first + relativedelta(months=1)).strftime("%Y-%m"),
        "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        "count": sum(len(v) for v in by_day.values()),
        **_filter_choices(),
    }
    return render(request, "regulations/deadline_calendar.html", context)


@require_POST
@permission_required("regulations.complete_deadline")
def deadline_complete_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    deadline = get_object_or_404(Deadline, pk=pk)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            deadline = deadline_complete(
                actor=request.user,
                deadline=deadline,
                evidence_url=form.cleaned_data["evidence_url"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = None
    if not is_partial(request):
        return redirect(reverse("regulations:deadline-list"))
    return render(
        request,
        "regulations/partials/deadline_row.html",
        {
            "d": deadline,
            "form": form,
            "today": timezone.localdate(),
            "can_complete": True,
        },
    )


@require_http_methods(["GET", "POST"])
@reader_required
def calendar_token_view(request: HtmxHttpRequest) -> HttpResponse:
    token = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            calendar_token_revoke(actor=request.user)
        else:
            token = calendar_token_issue(actor=request.user)
    feed_url = (
        request.build_absolute_uri(reverse("regulations:calendar-feed", args=[token]))
        if token
        else ""
    )
    context = {
        "token_row": CalendarToken.objects.filter(user=request.user).first(),
        "feed_url": feed_url,
    }
    return render(request, "regulations/calendar_token.html", context)


@require_GET
def calendar_feed_view(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """No session: the secret in the URL is the credential (calendar clients cannot log in)."""
    user = calendar_user_for_token(token)
    if user is None:
        raise Http404("Unknown or revoked calendar token.")
    body = calendar_feed(
        deadlines=deadlines_for_feed(user),
        name=f"Sightline deadlines ({user.get_username()})",
        base_url=request.build_absolute_uri(reverse("regulations:deadline-list")),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sightline-deadlines.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
