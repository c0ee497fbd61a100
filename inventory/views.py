from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.permissions import reader_required
from inventory.models import AISystem


@require_GET
@reader_required
def system_list(request):
    systems = AISystem.objects.select_related("vendor", "owner")
    page = Paginator(systems, 50).get_page(request.GET.get("page"))
    return render(request, "inventory/system_list.html", {"page": page})
