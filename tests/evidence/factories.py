"""factory_boy factories for evidence packs (build them through pack_create when the audit matters)."""

import datetime as dt

import factory

from evidence.models import EvidencePack


class EvidencePackFactory(factory.django.DjangoModelFactory):
    """A queued EU pack for the first half of 2026, the period the pack tests' world fills."""

    class Meta:
        model = EvidencePack

    regime = "eu"
    period_from = dt.date(2026, 1, 1)
    period_to = dt.date(2026, 6, 30)
