"""Every assessments list page and API list filters through its FilterSet in a pinned number of
queries; the rows are set so that a missing select_related or prefetch would add queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.services import assessment_start, checklist_create, evidence_upload
from tests.assessments import factories, samples


@pytest.fixture
def world(officer, procurement):
    cv = factories.eu_content()
    vendor = factories.vendor()
    systems = [factories.system(vendor_obj=vendor, name=f"Screener {i}") for i in range(3)]
    for system in systems:
        factories.classify_high_risk(system, cv)
        assessment_start(actor=officer, system=system, template=factories.fria())
        checklist = checklist_create(actor=procurement, vendor=vendor, system=system)
        evidence_upload(
            actor=procurement,
            item_status=checklist.items.first(),
            upload=SimpleUploadedFile("doc.pdf", samples.PDF),
            effective_date=None,
            expiry_date=None,
            note="",
        )
    return {"vendor": vendor, "systems": systems}


LISTS = [
    ("assessments:assessment-list", lambda w: {"system": w["systems"][0].pk}, 13),
    ("assessments:checklist-list", lambda w: {"system": w["systems"][0].pk}, 10),
    ("api-assessment-list", lambda w: {"system": w["systems"][0].pk, "state": "draft"}, 6),
    ("api-checklist-list", lambda w: {"system": w["systems"][0].pk}, 7),
    ("api-evidence-list", lambda w: {"system": w["systems"][0].pk}, 7),
]


@pytest.mark.parametrize(("route", "params", "queries"), LISTS, ids=[r for r, _p, _q in LISTS])
def test_list_filters_by_system_in_pinned_queries(
    client, officer, world, route, params, queries, django_assert_num_queries
):
    client.force_login(officer)
    with django_assert_num_queries(queries):
        response = client.get(reverse(route), params(world))
    assert response.status_code == 200
    if route.startswith("api-"):
        rows = response.json()["results"]
        assert [row["system"] for row in rows] == [world["systems"][0].pk]
    elif route == "assessments:assessment-list":
        assert [a.system for a in response.context["page"]] == [world["systems"][0]]
    else:
        assert [c.system for c in response.context["checklists"]] == [world["systems"][0]]


def test_api_list_rejects_an_id_no_row_can_have(client, officer, world):
    client.force_login(officer)
    response = client.get(reverse("api-assessment-list"), {"system": "abc"})
    assert response.status_code == 400
    assert "system" in response.json()
