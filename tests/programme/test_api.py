"""The programme's REST API: a requester files and sees only their own AI-use requests; readers
list risks, controls, completions, coverage and rights requests through the pages' FilterSets,
each list in a pinned number of queries."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import AuditEntry
from programme.content_loader import load_programme_content
from programme.literacy import completions_import, training_module_create
from programme.models import AIUseRequest
from programme.rights import rights_request_create, rights_rules
from programme.risk_services import risk_control_map, risk_control_update, risk_create
from programme.selectors import control_library, risk_categories
from programme.services import ai_use_request_submit
from tests.assessments import samples
from tests.factories import AISystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_a_requester_files_a_request_and_lists_only_their_own(api, requester, procurement):
    ai_use_request_submit(actor=procurement, data={"tool_name": "Other tool"})
    api.force_authenticate(requester)
    response = api.post(
        reverse("api-ai-request-list"),
        {"tool_name": "Claude", "purpose": "Drafts", "jurisdictions": ["CO"],
         "status": "approved"},  # status is the officer's, not the requester's
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "submitted"
    item = AIUseRequest.objects.get(tool_name="Claude")
    assert item.requester == requester
    assert AuditEntry.objects.filter(action="ai_request.submit", target_id=str(item.pk)).exists()
    listed = api.get(reverse("api-ai-request-list")).json()
    assert [r["tool_name"] for r in listed["results"]] == ["Claude"]
    other = AIUseRequest.objects.get(tool_name="Other tool")
    assert api.get(reverse("api-ai-request-detail", args=[other.pk])).status_code == 404
    assert api.get(reverse("api-risk-list")).status_code == 403  # nothing else


def test_a_request_needs_a_tool_name_and_a_known_jurisdiction(api, requester):
    api.force_authenticate(requester)
    response = api.post(reverse("api-ai-request-list"), {"purpose": "x"}, format="json")
    assert response.status_code == 400 and "tool_name" in response.json()
    response = api.post(
        reverse("api-ai-request-list"), {"tool_name": "X", "jurisdictions": ["ZZ"]}, format="json"
    )
    assert response.status_code == 400
    assert not AIUseRequest.objects.exists()


def test_auditors_list_every_request_filtered_by_status(api, requester, auditor):
    ai_use_request_submit(actor=requester, data={"tool_name": "Claude"})
    api.force_authenticate(auditor)
    body = api.get(reverse("api-ai-request-list"), {"status": "submitted"}).json()
    assert [r["requester"] for r in body["results"]] == [requester.username]
    assert api.get(reverse("api-ai-request-list"), {"status": "rejected"}).json()["count"] == 0


@pytest.fixture
def world(officer, storage_dir):
    load_programme_content()
    systems = [AISystemFactory(name=f"Bot {i}", model_type="generative_app") for i in range(3)]
    for system in systems:
        risk = risk_create(
            actor=officer,
            data={"system": system, "title": f"Leak {system.name}",
                  "category": risk_categories().first(), "likelihood": 2, "impact": 3},
        )  # fmt: skip
        for code in ("owasp-llm.LLM01", "owasp-llm.LLM02"):
            mapping = risk_control_map(
                actor=officer, risk=risk, control=control_library().get(code=code)
            )
            risk_control_update(
                actor=officer, mapping=mapping, status="implemented", note="",
                upload=SimpleUploadedFile(f"{code}.pdf", samples.PDF),
            )  # fmt: skip
    training_module_create(actor=officer, data={"title": "AI basics"})
    today = timezone.localdate()
    rows = "".join(
        f"p{i}@x.example,AI basics,{(today - dt.timedelta(days=100 * i)).isoformat()}\n"
        for i in range(5)
    )
    completions_import(
        actor=officer, content=f"email,module,date\n{rows}".encode(), filename="l.csv"
    )
    rule = rights_rules().get(code="ccpa.access")
    for n in range(3):
        rights_request_create(
            actor=officer,
            data={"rule": rule, "reference": f"R-{n}", "received_on": today - dt.timedelta(days=40 * n),
                  "system": systems[n]},
        )  # fmt: skip
    for name in ("Claude", "Gemini"):
        ai_use_request_submit(actor=officer, data={"tool_name": name})
    return {"systems": systems}


LISTS = [
    ("api-risk-list", lambda w: {"system": w["systems"][0].pk}, 6, 1),
    ("api-control-list", lambda w: {"framework": "OWASP Top 10 for LLM Applications 2025"}, 4, 10),
    ("api-control-list", lambda w: {"obligation": "eu-14"}, 5, 3),
    ("api-completion-list", lambda w: {"due": "true"}, 3, 1),
    ("api-rights-request-list", lambda w: {"state": "overdue"}, 3, 1),
    ("api-ai-request-list", lambda w: {"status": "submitted"}, 4, 2),
]


@pytest.mark.parametrize(
    ("route", "params", "queries", "rows"), LISTS, ids=[f"{r}-{q}" for r, _p, q, _n in LISTS]
)
def test_api_lists_filter_in_pinned_queries(
    api, auditor, world, route, params, queries, rows, django_assert_num_queries
):
    api.force_authenticate(auditor)
    with django_assert_num_queries(queries):
        response = api.get(reverse(route), params(world))
    assert response.status_code == 200, response.content
    assert response.json()["count"] == rows


def test_the_risk_list_carries_controls_and_evidence_hashes(api, auditor, world):
    api.force_authenticate(auditor)
    body = api.get(reverse("api-risk-list"), {"system": world["systems"][1].pk}).json()
    (risk,) = body["results"]
    assert {c["control"] for c in risk["controls"]} == {"owasp-llm.LLM01", "owasp-llm.LLM02"}
    assert all(len(c["evidence"][0]["sha256"]) == 64 for c in risk["controls"])


def test_coverage_api_reports_the_figures_of_the_page(api, auditor, world):
    api.force_authenticate(auditor)
    body = api.get(reverse("api-literacy-coverage")).json()
    assert body["everyone"]["people"] == 5 and body["everyone"]["trained"] == 4
    assert body["everyone"]["missing"] == ["p4@x.example"]
