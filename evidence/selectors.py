from collections.abc import Mapping

from django.db.models import QuerySet

from evidence.filters import EvidencePackFilter
from evidence.models import EvidencePack


def pack_list(*, filters: Mapping[str, str] | None = None) -> QuerySet[EvidencePack]:
    """Past packs, newest first, with the creator loaded for the list and the API."""
    qs = EvidencePack.objects.select_related("created_by").prefetch_related("systems")
    return EvidencePackFilter(filters or {}, queryset=qs).qs
