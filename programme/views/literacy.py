"""AI-literacy records (EU AI Act Art 4): modules, completions imported from an LMS, coverage."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.htmx import HtmxHttpRequest, error_text, redirect_to, save_form
from core.permissions import permission_required, reader_required
from programme.forms import AssignmentForm, CompletionImportForm, TrainingModuleForm
from programme.literacy import (
    EXPIRY_NOTICE_DAYS,
    assignment_status,
    completions_expiring,
    completions_import,
    coverage,
    training_assignment_create,
    training_module_create,
)
from programme.models import TrainingCompletion, TrainingModule

MAX_UPLOAD = 20 * 1024 * 1024


@require_GET
@reader_required
def literacy_overview(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request,
        "programme/literacy.html",
        {
            "coverage": coverage(),
            "modules": TrainingModule.objects.all(),
            "recent": TrainingCompletion.objects.select_related("module")[:20],
            "import_form": CompletionImportForm(),
            "assign_form": AssignmentForm(),
            "assignments": assignment_status(),
            "show_missing": request.GET.get("missing") == "1",
            "expiring": completions_expiring()
            .select_related("module")
            .order_by("expires_on", "pk")[:100],
            "expiry_days": EXPIRY_NOTICE_DAYS,
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("programme.add_trainingmodule")
def module_create(request: HtmxHttpRequest) -> HttpResponse:
    form = TrainingModuleForm(request.POST or None)
    if request.method == "POST":
        module = save_form(form, lambda data: training_module_create(actor=request.user, data=data))
        if module:
            messages.success(request, f"Added module {module}.")
            return redirect_to(request, reverse("programme:literacy"))
    return render(
        request, "programme/module_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_POST
@permission_required("programme.add_trainingcompletion")
def completion_import(request: HtmxHttpRequest) -> HttpResponse:
    form = CompletionImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a CSV or XLSX file exported from the LMS.")
        return redirect_to(request, reverse("programme:literacy"))
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD:
        messages.error(request, "The file is larger than 20 MB; split the export.")
        return redirect_to(request, reverse("programme:literacy"))
    try:
        result = completions_import(actor=request.user, content=upload.read(), filename=upload.name)
    except ValidationError as err:
        messages.error(request, error_text(err))
        return redirect_to(request, reverse("programme:literacy"))
    text = f"Imported {result.created} completion{'s' if result.created != 1 else ''}"
    if result.duplicates:
        text += f", {result.duplicates} already known"
    if result.skipped_total:
        reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(result.skipped.items()))
        text += f"; skipped {result.skipped_total} ({reasons}): " + "; ".join(result.samples[:5])
    messages.success(request, text + ".")
    return redirect_to(request, reverse("programme:literacy"))


@require_POST
@permission_required("programme.add_trainingassignment")
def assignment_create(request: HtmxHttpRequest) -> HttpResponse:
    form = AssignmentForm(request.POST)
    if form.is_valid():
        try:
            a = training_assignment_create(actor=request.user, **form.cleaned_data)
        except ValidationError as err:
            messages.error(request, error_text(err))
        else:
            messages.success(request, f"Assigned {a.module} to {a.person or 'team ' + a.team}.")
    else:
        messages.error(request, "Choose a module and a valid due date.")
    return redirect_to(request, reverse("programme:literacy"))
