import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEntry
from inventory.models import AISystem
from tests.conftest import PASSWORD
from tests.factories import AISystemFactory, VendorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def token_for(api, user) -> str:
    response = api.post(
        reverse("api-token"), {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_token_auth_reads_the_inventory(api, auditor):
    AISystemFactory(name="Scorer")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(api, auditor)}")
    body = api.get(reverse("api-system-list")).json()
    assert body["count"] == 1 and body["results"][0]["name"] == "Scorer"
    assert body["results"][0]["facts"]["subjects_in"] == ["CO"]


def test_token_refused_for_user_without_role(api, norole):
    response = api.post(
        reverse("api-token"), {"username": norole.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "no Sightline role" in response.content.decode()


def test_api_filters_match_the_html_list(api, officer):
    AISystemFactory(name="German", jurisdictions=["DE"], lifecycle="in_use")
    AISystemFactory(name="Colorado", jurisdictions=["CO"], lifecycle="retired")
    api.force_authenticate(officer)
    names = lambda q: [r["name"] for r in api.get(reverse("api-system-list") + q).json()["results"]]  # noqa: E731
    assert names("?jurisdiction=EU") == ["German"]
    assert names("?lifecycle=retired") == ["Colorado"]
    assert names("?o=-name") == ["German", "Colorado"]


def test_api_create_goes_through_the_audited_service(api, officer):
    vendor = VendorFactory()
    api.force_authenticate(officer)
    response = api.post(
        reverse("api-system-list"),
        {
            "name": "Via API",
            "model_type": "rules",
            "vendor": vendor.pk,
            "owner": officer.username,
            "jurisdictions": ["CO", "EU"],
            "roles": ["deployer"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    system = AISystem.objects.get(name="Via API")
    assert response.json()["id"] == system.pk and system.owner == officer
    assert AuditEntry.objects.filter(action="system.create", target_id=str(system.pk)).exists()


def test_api_rejects_unknown_vocabulary(api, officer):
    api.force_authenticate(officer)
    response = api.post(
        reverse("api-system-list"),
        {"name": "X", "model_type": "rules", "domains": ["astrology"]},
        format="json",
    )
    assert response.status_code == 400
    assert "domains" in response.json()
    assert not AISystem.objects.exists()


def test_api_patch_audits_the_diff(api, officer):
    system = AISystemFactory(lifecycle="in_use")
    api.force_authenticate(officer)
    response = api.patch(
        reverse("api-system-detail", args=[system.pk]), {"lifecycle": "retired"}, format="json"
    )
    assert response.status_code == 200
    assert AuditEntry.objects.get(action="system.update").changes == {
        "lifecycle": ["in_use", "retired"]
    }


def test_api_vendor_in_use_delete_is_a_400(api, procurement):
    vendor = VendorFactory()
    AISystemFactory(vendor=vendor)
    api.force_authenticate(procurement)
    response = api.delete(reverse("api-vendor-detail", args=[vendor.pk]))
    assert response.status_code == 400
    assert "reassign" in response.content.decode()


def test_schema_lists_inventory_endpoints(api, auditor):
    api.force_authenticate(auditor)
    response = api.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/systems/" in paths and "/api/vendors/{id}/" in paths
    schemes = response.json()["components"]["securitySchemes"]
    assert schemes["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token from POST /api/token/, sent with the prefix "Token ".',
    }
