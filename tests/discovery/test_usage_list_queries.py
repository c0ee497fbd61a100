"""The OAuth-grant, model-usage and budget lists (API and page) filter through their FilterSets
in a pinned number of queries. The API lists do not grow with their rows; the Budgets page adds
one query per budget shown (its month's burn, budget_burn)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.discovery.usage_factories import (
    ModelUsageDayFactory,
    OAuthGrantFactory,
    UsageBudgetFactory,
)
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    system = AISystemFactory(name="Support bot")
    for i in range(6):
        OAuthGrantFactory(user=f"u{i}@x.org", active=i % 2 == 0)
        ModelUsageDayFactory(system=system, day=dt.date(2026, 11, 1 + i), team="Support")
        ModelUsageDayFactory(day=dt.date(2026, 11, 1 + i), team="HR", key_alias="hr-key")
        UsageBudgetFactory(name=f"Team {i}")
    UsageBudgetFactory(scope="key", name="hr-key", monthly_tokens=5000)
    return {"system": system}


LISTS = [
    ("discovery-api-oauth-grant-list", lambda w: {"active": "true"}, 6, 3),
    ("discovery-api-model-usage-list", lambda w: {"system": w["system"].pk}, 6, 6),
    ("discovery-api-budget-list", lambda w: {"scope": "key", "month": "2026-11"}, 7, 1),
    ("discovery:budget-list", lambda w: {"scope": "team", "month": "2026-11"}, 14, 6),
]


@pytest.mark.parametrize(("route", "params", "queries", "count"), LISTS, ids=[r for r, *_ in LISTS])
def test_list_filters_in_pinned_queries(
    client, officer, world, route, params, queries, count, django_assert_num_queries
):
    client.force_login(officer)
    chosen = params(world)
    client.get(reverse(route), chosen)
    with django_assert_num_queries(queries):
        response = client.get(reverse(route), chosen)
    assert response.status_code == 200
    if route.startswith("discovery-api-"):
        rows = response.json()["results"]
        assert len(rows) == count
    else:
        assert len(response.context["rows"]) == count


def test_budget_api_sums_the_month_usage_of_the_key(client, officer, world):
    client.force_login(officer)
    [row] = client.get(
        reverse("discovery-api-budget-list"), {"scope": "key", "month": "2026-11"}
    ).json()["results"]
    assert (row["name"], row["used_tokens"], row["used_spend"]) == ("hr-key", 6 * 1500, "7.50")


def test_oauth_apps_and_gateway_usage_do_not_add_queries_as_they_grow(
    client, officer, catalog, django_assert_num_queries
):
    from tests.discovery.usage_factories import OAuthGrantFactory

    client.force_login(officer)
    OAuthGrantFactory(user="first@x.org")
    ModelUsageDayFactory(app_key="chatgpt")
    pages = [reverse("discovery:overview"), reverse("discovery:app-detail", args=["chatgpt"])]
    counts = []
    for url in pages:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts.append(len(ctx.captured_queries))
    for i in range(12):
        OAuthGrantFactory(user=f"u{i}@x.org", app_key=["chatgpt", "claude"][i % 2])
        ModelUsageDayFactory(
            app_key="chatgpt", team=f"T{i}", model=f"m{i}", day=dt.date(2026, 11, 3 + i)
        )
    for url, before in zip(pages, counts, strict=True):
        with django_assert_num_queries(before):
            assert client.get(url).status_code == 200
