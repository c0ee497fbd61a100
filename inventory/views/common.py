"""Form handling shared by system and vendor pages: HTMX partial on error, client redirect on success."""

from collections.abc import Callable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django_htmx.http import HttpResponseClientRedirect


def is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    # A history restore after a cache miss wants the whole page, not the fragment.
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def redirect_to(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if is_partial(request) else redirect(url)


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


def render_form(request: HttpRequest, page: str, partial: str, context: dict) -> HttpResponse:
    """Invalid input re-renders with 200: htmx 2 does not swap 4xx responses."""
    return render(request, partial if is_partial(request) else page, context)


def field_errors(request: HttpRequest, form: BaseForm) -> HttpResponse:
    """Inline validation: the errors of the one field that changed, as HTML for its error slot."""
    name = request.POST.get("_field", "")
    errors = form.errors.get(name, []) if name in form.fields and form.is_bound else []
    html = render_to_string("inventory/partials/field_errors.html", {"errors": errors})
    return HttpResponse(html)
