from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.services import checklist_create
from tests.assessments import factories, samples


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def answer_url(a):
    return reverse("api-assessment-answer", args=[a.pk])


def test_answer_then_stale_answer_gets_409_with_both_values(officer, officer2, assessment):
    ok = api(officer).post(
        answer_url(assessment),
        {"question_id": "c.groups", "value": ["applicants"], "base_version": 0},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["version"] == 1
    stale = api(officer2).post(
        answer_url(assessment),
        {"question_id": "c.groups", "value": ["employees"], "base_version": 0},
        format="json",
    )
    assert stale.status_code == 409
    body = stale.json()
    assert (body["mine"], body["theirs"], body["theirs_by"], body["theirs_version"]) == (
        ["employees"],
        ["applicants"],
        "officer",
        1,
    )


def test_invalid_answer_is_400(officer, assessment):
    response = api(officer).post(
        answer_url(assessment),
        {"question_id": "a.frequency", "value": "hourly", "base_version": 0},
        format="json",
    )
    assert response.status_code == 400 and "not one of the choices" in response.json()["detail"]


def test_transitions_enforce_missing_answers_and_four_eyes(officer, officer2, assessment):
    url = reverse("api-assessment-transition", args=[assessment.pk])
    missing = api(officer).post(url, {"action": "submit"}, format="json")
    assert missing.status_code == 400 and missing.json()["missing"] == ["a.frequency", "c.groups"]
    factories.fill_required(officer, assessment)
    assert (
        api(officer).post(url, {"action": "submit"}, format="json").json()["state"] == "in_review"
    )
    assert (
        api(officer).post(url, {"action": "approve", "attest": True}, format="json").status_code
        == 403
    )
    approved = api(officer2).post(url, {"action": "approve", "attest": True}, format="json")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    detail = api(officer).get(reverse("api-assessment-detail", args=[assessment.pk])).json()
    assert detail["revisions"][0]["verification"] == "verified"
    assert len(detail["revisions"][0]["approval_hash"]) == 64


def test_evidence_upload_api_sniffs_content(procurement, system):
    checklist = checklist_create(actor=procurement, vendor=system.vendor, system=system)
    row = checklist.items.first()
    url = reverse("api-evidence-list")
    bad = api(procurement).post(
        url,
        {"item_status": row.pk, "file": SimpleUploadedFile("a.pdf", samples.EXE)},
        format="multipart",
    )
    assert bad.status_code == 400 and "Windows executable" in bad.json()["detail"]
    good = api(procurement).post(
        url,
        {"item_status": row.pk, "file": SimpleUploadedFile("a.pdf", samples.PDF)},
        format="multipart",
    )
    assert good.status_code == 201 and good.json()["content_type"] == "application/pdf"


def test_openapi_schema_lists_the_assessment_and_evidence_endpoints(auditor):
    schema = api(auditor).get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for path in [
        "/api/assessments/",
        "/api/assessments/{id}/",
        "/api/assessments/{id}/answers/",
        "/api/assessments/{id}/transitions/",
        "/api/evidence-files/",
        "/api/evidence-files/{id}/",
        "/api/vendor-checklists/",
    ]:
        assert path in paths, path
    assert "409" in paths["/api/assessments/{id}/answers/"]["post"]["responses"]


def test_openapi_schema_marks_unset_users_and_item_key_nullable(auditor):
    """A draft has no submitter and a loose evidence file no item; the schema must allow null."""
    schemas = api(auditor).get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    schemas = schemas["components"]["schemas"]
    assert schemas["Assessment"]["properties"]["submitted_by"]["nullable"] is True
    assert schemas["Revision"]["properties"]["submitted_by"]["nullable"] is True
    assert schemas["Revision"]["properties"]["approved_by"]["nullable"] is True
    assert schemas["EvidenceFile"]["properties"]["item_key"]["nullable"] is True
