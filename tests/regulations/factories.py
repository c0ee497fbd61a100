"""factory_boy factories for regime content rows (the real content is loaded by load_real_content)."""

import datetime as dt
import hashlib

import factory
from django.utils import timezone

from regulations.models import ClassificationResult, ContentVersion, Deadline, Regime


class RegimeFactory(factory.django.DjangoModelFactory):
    """The EU AI Act by default; one row per code, as load_content keeps it."""

    class Meta:
        model = Regime
        django_get_or_create = ("code",)

    code = "eu"
    name = "EU AI Act"


class ContentVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentVersion
        django_get_or_create = ("regime", "version")

    regime = factory.SubFactory(RegimeFactory)
    version = "2026-08"
    file_path = factory.LazyAttribute(
        lambda o: f"regulations/content/{o.regime.code}/{o.version}.yaml"
    )
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.version.encode()).hexdigest())
    status = ContentVersion.Status.IN_FORCE
    effective_from = dt.date(2024, 8, 1)
    data = factory.LazyFunction(dict)


class DeadlineFactory(factory.django.DjangoModelFactory):
    """A statutory date a month from today, organisation-wide unless a system is given."""

    class Meta:
        model = Deadline

    title = factory.Sequence(lambda n: f"Deadline {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    kind = Deadline.Kind.STATUTORY


class ClassificationResultFactory(factory.django.DjangoModelFactory):
    """A stored high-risk result for `system`, as the classifier writes one."""

    class Meta:
        model = ClassificationResult

    content_version = factory.SubFactory(ContentVersionFactory)
    regime = factory.LazyAttribute(lambda o: o.content_version.regime)
    inputs_hash = "0" * 64
    inputs = factory.LazyFunction(dict)
    evaluated_on = factory.LazyFunction(timezone.localdate)
    applies = True
    roles = factory.LazyFunction(lambda: ["deployer"])
    outcome = "high_risk_annex_iii_4"
    outcome_label = "High-risk (Annex III point 4)"
    risk_tier = "high"
    high_risk = True
    computed_at = factory.LazyFunction(timezone.now)
