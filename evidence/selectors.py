from collections.abc import Mapping

from django.db.models import OuterRef, QuerySet, Subquery

from evidence.filters import EvidencePackFilter
from evidence.models import EvidencePack
from regulations.models import Regime


def pack_list(*, filters: Mapping[str, str] | None = None) -> QuerySet[EvidencePack]:
    """Past packs, newest first, with the creator and the scoped regime's name (regime_label)."""
    name = Regime.objects.filter(code=OuterRef("regime")).values("name")[:1]
    qs = (
        EvidencePack.objects.select_related("created_by")
        .annotate(regime_name=Subquery(name))
        .prefetch_related("systems")
    )
    return EvidencePackFilter(filters or {}, queryset=qs).qs
