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
    """Every related row the queue draws is set: assignee, linked system and latest run."""
    from discovery.models import Finding, IngestRun

    now = timezone.now()
    systems = [AISystemFactory() for _ in range(3)]
    run = IngestRun.objects.create(
        file_name=f"qc-{ctx['round']}.log", sha256=f"{ctx['round']:064d}"
    )
    states = [Finding.State.OPEN, Finding.State.ASSIGNED, Finding.State.SANCTIONED]
    Finding.objects.bulk_create(
        Finding(
            kind=Finding.Kind.values[i % len(Finding.Kind.values)],
            severity=Finding.Severity.values[i % len(Finding.Severity.values)],
            state=states[i % 3],
            assignee=ctx["officer"] if i % 3 == 1 else None,
            system=systems[i % 3] if i % 3 == 2 else None,
            run=run,
            title=f"Finding {i}",
            dedupe_key=f"qc:{ctx['round']}:{i}",
            app_key="chatgpt",
            host=f"h{i}.example",
            first_seen=now,
            last_seen=now,
        )
        for i in range(n)
    )


def _rollups(n, ctx):
    """Unknown hosts, half of them sanctioned as a system (the row shows the system's status)."""
    from discovery.models import DiscoveredApp
    from discovery.services.rollups import RollupRow, rollup_upsert

    now = timezone.now()
    rollup_upsert(
        rows=[
            RollupRow(
                "",
                f"ai{ctx['round']}-{i}.example",
                f"u{i}",
                "",
                dt.date(2026, 11, 1),
                i + 1,
                0,
                0,
                now,
                now,
            )
            for i in range(n)
        ]
    )
    DiscoveredApp.objects.bulk_create(
        DiscoveredApp(
            app_key="",
            host=f"ai{ctx['round']}-{i}.example",
            name=f"ai{i}",
            system=AISystemFactory() if i % 2 else None,
        )
        for i in range(n)
    )


def _deadlines(n, ctx):
    from regulations.models import Deadline

    systems = [AISystemFactory() for _ in range(3)]
    Deadline.objects.bulk_create(
        Deadline(
            title=f"Deadline {i}",
            due_date=dt.date(2027, 1, 1) + dt.timedelta(days=i),
            kind=Deadline.Kind.values[0],
            system=systems[i % 3],
            owner=ctx["officer"],
        )
        for i in range(n)
    )


def _assessments(n, ctx):
    from assessments.models import Assessment
    from tests.assessments.factories import eu_content, fria

    template = fria(eu_content())
    states = Assessment.State.values
    Assessment.objects.bulk_create(
        Assessment(
            system=AISystemFactory(),
            template=template,
            state=states[i % len(states)],
            submitted_by=ctx["officer"],
            created_by=ctx["officer"],
        )
        for i in range(n)
    )


PAGES = [
    ("inventory:system-list", "", _systems),
    ("discovery:finding-list", "?state=all", _findings),
    ("discovery:app-list", "", _rollups),
    ("regulations:deadline-list", "", _deadlines),
    ("assessments:assessment-list", "", _assessments),
]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("route", "query", "make"), PAGES, ids=[p[0] for p in PAGES])
def test_list_page_query_count_is_constant_in_rows(
    client, officer, route, query, make, django_assert_num_queries
):
    client.login(username=officer.username, password=PASSWORD)
    url = reverse(route) + query
    make(5, {"officer": officer, "round": 1})
    client.get(url)  # warm caches (content types, sessions) so both counts compare like for like
    small = _count(client, url)
    make(45, {"officer": officer, "round": 2})
    with django_assert_num_queries(small):
        assert client.get(url).status_code == 200
