"""The pack list page and API: filtered by the FilterSet, with a pinned number of queries."""

import pytest
from django.urls import reverse

from tests.evidence.factories import EvidencePackFactory
from tests.factories import AISystemFactory

PAGE_QUERIES = 9
API_QUERIES = 7


@pytest.fixture
def packs(auditor):
    systems = AISystemFactory.create_batch(3)
    for i, status in enumerate(["done", "done", "failed", "queued"]):
        pack = EvidencePackFactory(created_by=auditor, status=status)
        pack.systems.set(systems[: i + 1])


def test_pack_list_page_filters_by_status_in_pinned_queries(
    client, auditor, packs, django_assert_num_queries
):
    client.force_login(auditor)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(reverse("evidence:pack-list"), {"status": "done"})
    assert len(response.context["page"].object_list) == 2


def test_pack_list_api_filters_by_status_in_pinned_queries(
    client, auditor, packs, django_assert_num_queries
):
    client.force_login(auditor)
    with django_assert_num_queries(API_QUERIES):
        response = client.get(reverse("api-evidence-pack-list"), {"status": "done"})
    assert [row["status"] for row in response.json()["results"]] == ["done", "done"]
