"""Hostile API bodies and queries are a 400 with a reason, never a 500: NUL characters, bodies that
are not a JSON object, and JSON nested deep enough to exhaust the parser's recursion."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from inventory.models import Vendor


@pytest.fixture
def api(officer):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(officer)
    return client


def post_raw(api, url, body: str):
    return api.post(url, body, content_type="application/json")


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "Acme\\u0000 AI"}',
        '{"name\\u0000": "Acme"}',
        '{"name": "Acme", "website": ["\\u0000"]}',
        "[1, 2, 3]",
        '"just a string"',
        "42",
        "null",
        '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"name": ' + "[" * 40 + "]" * 40 + "}",
        '{"name": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}",
    ],
    ids=[
        "nul-value",
        "nul-key",
        "nul-nested",
        "array",
        "string",
        "number",
        "null",
        "deep-100000",
        "deep-40",
        "deep-objects",
    ],  # fmt: skip
)
def test_hostile_json_bodies_are_400(api, body):
    response = post_raw(api, reverse("api-vendor-list"), body)
    assert response.status_code == 400, (response.status_code, response.content[:200])
    assert "detail" in response.json() or response.json()
    assert not Vendor.objects.exists()


def test_an_ordinary_body_still_works(api):
    response = post_raw(api, reverse("api-vendor-list"), json.dumps({"name": "Acme AI"}))
    assert response.status_code == 201


@pytest.mark.parametrize("query", ["search=a%00b", "a%00=1", "jurisdiction=CO%00"])
def test_nul_in_a_query_string_is_400(api, query):
    response = api.get(reverse("api-system-list") + "?" + query)
    assert response.status_code == 400


def test_nul_in_a_form_body_is_400(api):
    response = api.post(reverse("api-vendor-list"), {"name": "Acme\x00"}, format="multipart")
    assert response.status_code == 400
    assert not Vendor.objects.exists()


def test_the_token_endpoint_refuses_nul_and_arrays():
    client = APIClient(raise_request_exception=False)
    assert post_raw(client, reverse("api-token"), "[]").status_code == 400
    nul = post_raw(client, reverse("api-token"), '{"username": "a\\u0000", "password": "x"}')
    assert nul.status_code == 400


@pytest.mark.parametrize("body", ["[1]", '"approve"', "7"])
def test_views_reading_request_data_refuse_non_objects(api, officer, body):
    from assessments.services import assessment_start
    from tests.assessments import factories

    assessment = assessment_start(
        actor=officer, system=factories.system(), template=factories.fria()
    )
    url = reverse("api-assessment-transition", args=[assessment.pk])
    assert post_raw(api, url, body).status_code == 400
