"""Intake: a system that entered from discovery gets the facts classification needs."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.htmx import HtmxHttpRequest, redirect_to, save_form
from core.permissions import permission_required
from inventory.forms import IntakeForm
from inventory.models import AISystem
from inventory.services import ai_system_intake_complete


@require_http_methods(["GET", "POST"])
@permission_required("inventory.change_aisystem")
def system_intake(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(AISystem.objects.select_related("vendor", "owner"), pk=pk)
    form = IntakeForm(request.POST or None, instance=system)
    if request.method == "POST":
        target = AISystem.objects.get(pk=pk)  # the form mutates its instance while validating
        saved = save_form(
            form,
            lambda data: ai_system_intake_complete(actor=request.user, system=target, data=data),
        )
        if saved:
            messages.success(request, f"{saved.name} has its facts and is being classified.")
            return redirect_to(request, reverse("inventory:system-detail", args=[pk]))
    return render(
        request,
        "inventory/system_intake.html",
        {
            "form": form,
            "system": system,
            "validate_url": reverse("inventory:system-validate"),
        },
    )
