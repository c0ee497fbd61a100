"""A system's required notices (filled, previewed, downloaded) and its obligations with the
controls that meet them. Every role that reads the inventory reads these."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from core.htmx import HtmxHttpRequest, error_text, redirect_to
from core.permissions import permission_required, reader_required
from inventory.models import AISystem
from programme.forms import ControlStatusForm
from programme.models import Control, RiskControl
from programme.notices import (
    notice_html_document,
    notice_html_fragment,
    notice_markdown,
    notice_pdf,
    notices_for_system,
)
from programme.risk_services import system_control_record
from programme.selectors import obligation_coverage

FORMATS = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


def _system(pk: int) -> AISystem:
    return get_object_or_404(AISystem.objects.select_related("owner", "vendor"), pk=pk)


@require_GET
@reader_required
def system_notices(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    system = _system(pk)
    notices = [
        {
            "notice": n,
            "html": notice_html_fragment(notice_markdown(notice=n, system=system), top=2),
        }
        for n in notices_for_system(system)
    ]
    return render(request, "programme/notices.html", {"system": system, "notices": notices})


@require_GET
@reader_required
def notice_download(request: HtmxHttpRequest, pk: int, code: str, fmt: str) -> HttpResponse:
    system = _system(pk)
    if fmt not in FORMATS:
        raise Http404("Download as md, html or pdf.")
    notice = next((n for n in notices_for_system(system) if n.template.code == code), None)
    if notice is None:
        raise Http404("This system's classification requires no such notice.")
    markdown = notice_markdown(notice=notice, system=system)
    title = f"{notice.template.title} · {system.name}"
    if fmt == "md":
        body: bytes | str = markdown
    elif fmt == "html":
        body = notice_html_document(title=title, markdown=markdown)
    else:
        body = notice_pdf(title=title, markdown=markdown)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    name = f"{slugify(system.name) or 'system'}-{slugify(code)}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@reader_required
def system_obligations(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    system = _system(pk)
    return render(
        request,
        "programme/system_obligations.html",
        {
            "system": system,
            "rows": obligation_coverage(system=system),
            "status_choices": RiskControl.Status.choices,
        },
    )


@require_POST
@permission_required("programme.change_risk")
def system_control_view(request: HtmxHttpRequest, pk: int, control_pk: int) -> HttpResponse:
    """Record a control's status and evidence for the system, from its obligations page."""
    system = _system(pk)
    control = get_object_or_404(Control, pk=control_pk)
    form = ControlStatusForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose an implementation status.")
    else:
        try:
            system_control_record(
                actor=request.user,
                system=system,
                control=control,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                upload=form.cleaned_data["evidence"],
            )
        except ValidationError as err:
            messages.error(request, error_text(err))
        else:
            messages.success(request, f"Recorded {control.code} for {system.name}.")
    url = reverse("programme:system-obligations", args=[system.pk])
    return redirect_to(request, url)
