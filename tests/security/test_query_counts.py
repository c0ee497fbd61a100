"""The main list pages run the same number of queries for 5 rows as for 50 (no N+1)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import AISystemFactory, VendorFactory


def _systems(n, ctx):
    vendors = [VendorFactory() for _ in range(3)]
    for i in range(n):
        AISystemFactory(vendor=vendors[i % 3], owner=ctx["officer"])


def _findings(n, ctx):
    from discovery.models import Finding

    now = timezone.now()
    Finding.objects.bulk_create(
        Finding(kind=Finding.Kind.values[i % len(Finding.Kind.values)],
                severity=Finding.Severity.values[i % len(Finding.Severity.values)],
                title=f"Finding {i}", dedupe_key=f"qc:{ctx['round']}:{i}", app_key="chatgpt",
                host=f"h{i}.example", first_seen=now, last_seen=now)
        for i in range(n)
    )  # fmt: skip


def _rollups(n, ctx):
    from discovery.models import UsageRollup

    now = timezone.now()
    UsageRollup.objects.bulk_create(
        UsageRollup(app_key="", host=f"ai{ctx['round']}-{i}.example", identity=f"u{i}",
                    day=dt.date(2026, 11, 1), requests=i + 1, first_seen=now, last_seen=now)
        for i in range(n)
    )  # fmt: skip


def _deadlines(n, ctx):
    from regulations.models import Deadline

    systems = [AISystemFactory() for _ in range(3)]
    Deadline.objects.bulk_create(
        Deadline(title=f"Deadline {i}", due_date=dt.date(2027, 1, 1) + dt.timedelta(days=i),
                 kind=Deadline.Kind.values[0], system=systems[i % 3], owner=ctx["officer"])
        for i in range(n)
    )  # fmt: skip


PAGES = [
    ("inventory:system-list", _systems),
    ("discovery:finding-list", _findings),
    ("discovery:app-list", _rollups),
    ("regulations:deadline-list", _deadlines),
]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("route", "make"), PAGES, ids=[p[0] for p in PAGES])
def test_list_page_query_count_is_constant_in_rows(
    client, officer, route, make, django_assert_num_queries
):
    client.login(username=officer.username, password=PASSWORD)
    url = reverse(route)
    make(5, {"officer": officer, "round": 1})
    client.get(url)  # warm caches (content types, sessions) so both counts compare like for like
    small = _count(client, url)
    make(45, {"officer": officer, "round": 2})
    with django_assert_num_queries(small):
        assert client.get(url).status_code == 200
