"""The vendor list page and the system and vendor APIs filter through their FilterSets in a pinned
number of queries (the system list page is pinned in test_views.py)."""

import pytest
from django.urls import reverse

from tests.factories import AISystemFactory, VendorFactory


@pytest.fixture
def world(officer):
    developers = [VendorFactory(is_ai_developer=True) for _ in range(3)]
    VendorFactory(is_ai_developer=False)
    for vendor in developers:
        AISystemFactory.create_batch(2, vendor=vendor, owner=officer)
    AISystemFactory(vendor=None, lifecycle="retired")
    return developers


LISTS = [
    ("inventory:vendor-list", {"is_ai_developer": "true"}, 8),
    ("api-vendor-list", {"is_ai_developer": "true"}, 6),
    ("api-system-list", {"lifecycle": "in_use"}, 6),
]


@pytest.mark.parametrize(("route", "params", "queries"), LISTS, ids=[r for r, _p, _q in LISTS])
def test_list_filters_in_pinned_queries(
    client, officer, world, route, params, queries, django_assert_num_queries
):
    client.force_login(officer)
    with django_assert_num_queries(queries):
        response = client.get(reverse(route), params)
    assert response.status_code == 200
    if route.startswith("api-"):
        rows = response.json()["results"]
        if route == "api-vendor-list":
            assert sorted(r["id"] for r in rows) == sorted(v.pk for v in world)
            assert {r["system_count"] for r in rows} == {2}
        else:
            assert len(rows) == 6 and {r["lifecycle"] for r in rows} == {"in_use"}
    else:
        assert sorted(v.pk for v in response.context["page"]) == sorted(v.pk for v in world)
