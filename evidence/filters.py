"""One FilterSet per list, shared by the HTML page and the API."""

import django_filters

from evidence.models import EvidencePack


class EvidencePackFilter(django_filters.FilterSet):
    class Meta:
        model = EvidencePack
        fields = ["status", "regime"]
