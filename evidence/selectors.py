from django.db.models import QuerySet

from evidence.models import EvidencePack


def pack_list() -> QuerySet[EvidencePack]:
    """Past packs, newest first, with the creator loaded for the list and the API."""
    return EvidencePack.objects.select_related("created_by").prefetch_related("systems")
