"""The web layer every HTML view shares: the typed request, partial-or-page, redirects, form errors."""

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """What HtmxMiddleware hands the views (django-htmx docs, "Type hints")."""

    htmx: HtmxDetails


def is_partial(request: HtmxHttpRequest) -> bool:
    """htmx swaps a fragment; a boosted link or a history restore after a cache miss wants the page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def redirect_to(request: HtmxHttpRequest, url: str) -> HttpResponse:
    """htmx follows HX-Redirect with a full page load; a 302 would be swapped into the target."""
    return HttpResponseClientRedirect(url) if is_partial(request) else redirect(url)


def render_partial(
    request: HtmxHttpRequest,
    *,
    page: str,
    partial: str,
    context: Mapping[str, Any],
    status: int = 200,
) -> HttpResponse:
    """The fragment for htmx, the whole page otherwise; the page includes the same fragment."""
    return render(request, partial if is_partial(request) else page, context, status=status)


def error_text(exc: ValidationError) -> str:
    """A service's ValidationError as one sentence for a message or an inline error."""
    return " ".join(str(message) for message in exc.messages)


def save_form(form: BaseForm, write: Callable[[dict], object]) -> object | None:
    """Run the service; a ValidationError it raises lands on the form instead of a 500."""
    if not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except ValidationError as err:
        if hasattr(err, "error_dict"):
            for field, errors in err.error_dict.items():
                form.add_error(field if field in form.fields else NON_FIELD_ERRORS, errors)
        else:
            form.add_error(None, err)
        return None


def field_errors(request: HtmxHttpRequest, form: BaseForm) -> HttpResponse:
    """Inline validation: the errors of the one field that changed, as HTML for its error slot."""
    name = request.POST.get("_field", "")
    errors = form.errors.get(name, []) if name in form.fields and form.is_bound else []
    return HttpResponse(render_to_string("core/partials/field_errors.html", {"errors": errors}))
