"""What the inventory's pages share."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import render

from core.htmx import HtmxHttpRequest, error_text, redirect_to


def delete_confirmed(
    request: HtmxHttpRequest,
    *,
    obj: Model,
    kind: str,
    delete: Callable[[], object],
    urls: tuple[str, str],
    done: str,
    warning: str,
) -> HttpResponse:
    """GET asks first; POST deletes and goes to the list (`urls` is detail, list), or back to the
    detail page with the refusal."""
    detail_url, list_url = urls
    if request.method == "POST":
        try:
            delete()
        except ValidationError as err:
            messages.error(request, error_text(err))
            return redirect_to(request, detail_url)
        messages.success(request, done)
        return redirect_to(request, list_url)
    context = {"object": obj, "kind": kind, "cancel_url": detail_url, "warning": warning}
    return render(request, "inventory/confirm_delete.html", context)
