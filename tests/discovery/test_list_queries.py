"""Every discovery list page and API list filters through its FilterSet in a pinned number of
queries; two ingested logs and a blocked finding give each list rows with related rows to load."""

import pytest
from django.urls import reverse

from discovery.models import Finding, IngestRun
from discovery.services.triage import finding_block
from tests.discovery.conftest import SQUID, ZEEK


@pytest.fixture
def world(ingest, officer):
    ingest(SQUID, actor=officer)
    ingest(ZEEK, actor=officer)
    finding = Finding.objects.exclude(app_key="").order_by("pk").first()
    finding_block(finding=finding, actor=officer, reason="Test")
    return {"run": IngestRun.objects.order_by("pk").first(), "blocked": finding.app_key}


def _rows(route, response) -> list:
    if route.startswith("discovery-api-"):
        return response.json()["results"]
    if route == "discovery:blocklist":
        return list(response.context["entries"])
    return list(response.context["page"])


LISTS = [
    ("discovery:finding-list", lambda w: {"run": w["run"].pk, "state": "all"}, 8),
    ("discovery:app-list", lambda w: {"known": "yes", "order": "name"}, 12),
    ("discovery:run-list", lambda w: {"status": w["run"].status}, 8),
    ("discovery:blocklist", lambda w: {"app_key": w["blocked"]}, 7),
    ("discovery-api-finding-list", lambda w: {"run": w["run"].pk}, 6),
    ("discovery-api-app-list", lambda w: {"known": "yes", "order": "name"}, 9),
    ("discovery-api-run-list", lambda w: {"status": w["run"].status}, 8),
    ("discovery-api-blocklist", lambda w: {"app_key": w["blocked"]}, 6),
]


@pytest.mark.parametrize(("route", "params", "queries"), LISTS, ids=[r for r, _p, _q in LISTS])
def test_list_filters_in_pinned_queries(
    client, officer, world, route, params, queries, django_assert_num_queries
):
    client.force_login(officer)
    chosen = params(world)
    client.get(reverse(route), chosen)  # the catalogue is cached per process after a first read
    with django_assert_num_queries(queries):
        response = client.get(reverse(route), chosen)
    assert response.status_code == 200
    rows = _rows(route, response)
    assert rows
    field, value = next(iter(chosen.items()))
    if field == "known":
        names = [row["name"] for row in rows]
        assert all(row["known"] for row in rows) and names == sorted(names)
    elif field == "run":
        assert {row["run"] if isinstance(row, dict) else row.run_id for row in rows} == {value}
    else:
        assert {row[field] if isinstance(row, dict) else getattr(row, field) for row in rows} == {
            value
        }
