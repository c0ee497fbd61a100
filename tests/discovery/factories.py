"""factory_boy factories for discovery rows; ingest real log files when the pipeline itself matters."""

import datetime as dt

import factory
from django.utils import timezone

from discovery.models import (
    AppUsageTotal,
    BlocklistEntry,
    CatalogApp,
    CatalogVersion,
    DiscoveredApp,
    Finding,
    LogSource,
    UsageRollup,
)


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


class LogSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LogSource

    name = factory.Sequence(lambda n: f"Source {n}")
    kind = LogSource.Kind.PROXY


class CatalogVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogVersion

    version = factory.Sequence(lambda n: f"test-{n}")
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    file_name = factory.LazyAttribute(lambda o: f"{o.version}.yaml")


class CatalogAppFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogApp

    version = factory.SubFactory(CatalogVersionFactory)
    key = factory.Sequence(lambda n: f"app-{n}")
    name = factory.LazyAttribute(lambda o: o.key.capitalize())


class DiscoveredAppFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscoveredApp

    name = factory.LazyAttribute(lambda o: o.app_key or o.host)
    first_seen = factory.LazyFunction(timezone.now)
    last_seen = factory.LazyAttribute(lambda o: o.first_seen)


class UsageRollupFactory(factory.django.DjangoModelFactory):
    """One identity's traffic to one app on one day, seen at noon."""

    class Meta:
        model = UsageRollup

    identity = "user0"
    day = factory.LazyFunction(timezone.localdate)
    requests = 5
    bytes_up = 10
    first_seen = factory.LazyAttribute(lambda o: _noon(o.day))
    last_seen = factory.LazyAttribute(lambda o: o.first_seen)


class AppUsageTotalFactory(factory.django.DjangoModelFactory):
    """The all-time summary the discovered-AI page reads (ingestion keeps it beside the rollups)."""

    class Meta:
        model = AppUsageTotal

    requests = 5
    bytes_up = 10
    users = 1
    first_seen = factory.LazyFunction(timezone.now)
    last_seen = factory.LazyAttribute(lambda o: o.first_seen)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    kind = Finding.Kind.UNSANCTIONED_USE
    severity = Finding.Severity.MEDIUM
    title = factory.Sequence(lambda n: f"Finding {n}")
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    first_seen = factory.LazyFunction(timezone.now)
    last_seen = factory.LazyAttribute(lambda o: o.first_seen)


class BlocklistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlocklistEntry

    domain = factory.Sequence(lambda n: f"blocked-{n}.example")
