"""Four-eyes: nobody who wrote in the revision under review, nor its submitter, signs it off —
however the revision travelled (returned, re-submitted by a colleague), in the API and the pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import Assessment
from assessments.services import (
    answer_save,
    assessment_approve,
    assessment_return,
    assessment_submit,
    attachment_add,
)
from core.roles import Role
from tests.assessments import samples
from tests.conftest import PASSWORD, make_user


@pytest.fixture
def officer3(db):
    return make_user("officer3", Role.COMPLIANCE_OFFICER)


def answer(actor, assessment, qid, raw):
    assessment.refresh_from_db()
    rev = assessment.revision()
    answer_save(
        actor=actor,
        assessment=assessment,
        question_id=qid,
        raw=raw,
        base_version=rev.answer_versions.get(qid, 0),
    )


def fill(actor, assessment):
    answer(actor, assessment, "a.frequency", "weekly")
    answer(actor, assessment, "c.groups", ["applicants"])


def returned_and_resubmitted_by(colleague, reviewer, author, assessment):
    fill(author, assessment)
    assessment_submit(actor=author, assessment=assessment)
    assessment_return(actor=reviewer, assessment=assessment, reason="Cite the policy.")
    assessment.refresh_from_db()
    assessment_submit(actor=colleague, assessment=assessment)
    assessment.refresh_from_db()


def test_the_author_cannot_approve_after_a_colleague_resubmits(
    officer, officer2, officer3, assessment
):
    returned_and_resubmitted_by(officer2, officer3, officer, assessment)
    with pytest.raises(PermissionDenied, match="(?i)four-eyes"):
        assessment_approve(actor=officer, assessment=assessment)
    assert Assessment.objects.get().state == Assessment.State.IN_REVIEW
    assert assessment_approve(actor=officer3, assessment=assessment).approved_by == officer3


def test_the_submitter_cannot_approve_answers_written_by_someone_else(
    officer, officer2, officer3, assessment
):
    fill(officer, assessment)
    assessment_submit(actor=officer2, assessment=assessment)
    assessment.refresh_from_db()
    for who in (officer, officer2):
        with pytest.raises(PermissionDenied):
            assessment_approve(actor=who, assessment=assessment)
    assessment_approve(actor=officer3, assessment=assessment)


def test_an_overwritten_answer_still_counts_as_written(officer, officer2, officer3, assessment):
    """officer's answer was replaced by officer2's, so the answer's metadata no longer names them."""
    answer(officer, assessment, "a.frequency", "daily")
    fill(officer2, assessment)
    assessment_submit(actor=officer2, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.revision().answer_meta["a.frequency"]["by"] == "officer2"
    with pytest.raises(PermissionDenied):
        assessment_approve(actor=officer, assessment=assessment)


def test_attaching_a_file_counts_as_writing(officer, officer2, officer3, assessment):
    fill(officer2, assessment)
    attachment_add(
        actor=officer,
        assessment=assessment,
        question_id="f.dpia",
        upload=SimpleUploadedFile("dpia.pdf", samples.PDF),
        base_version=0,
    )
    assessment.refresh_from_db()
    assessment_submit(actor=officer2, assessment=assessment)
    assessment.refresh_from_db()
    with pytest.raises(PermissionDenied):
        assessment_approve(actor=officer, assessment=assessment)


def test_answers_carried_from_an_approved_revision_do_not_bar_their_author(
    officer, officer2, officer3, assessment
):
    fill(officer, assessment)
    assessment_submit(actor=officer, assessment=assessment)
    assessment_approve(actor=officer2, assessment=assessment)
    answer(officer3, assessment, "a.frequency", "monthly")
    assessment.refresh_from_db()
    assessment_submit(actor=officer3, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.current_revision == 2
    assert assessment_approve(actor=officer, assessment=assessment).number == 2


def test_api_refuses_the_author_after_a_colleague_resubmits(
    officer, officer2, officer3, assessment
):
    returned_and_resubmitted_by(officer2, officer3, officer, assessment)
    client = APIClient()
    client.force_authenticate(officer)
    url = reverse("api-assessment-transition", args=[assessment.pk])
    response = client.post(url, {"action": "approve", "attest": True}, format="json")
    assert response.status_code == 403
    assert Assessment.objects.get().state == Assessment.State.IN_REVIEW


def test_page_hides_approve_and_refuses_the_author(client, officer, officer2, officer3, assessment):
    returned_and_resubmitted_by(officer2, officer3, officer, assessment)
    client.login(username=officer.username, password=PASSWORD)
    page = client.get(reverse("assessments:assessment-detail", args=[assessment.pk]))
    assert b'id="four-eyes"' in page.content
    assert (
        reverse("assessments:assessment-approve", args=[assessment.pk]).encode() not in page.content
    )
    client.post(reverse("assessments:assessment-approve", args=[assessment.pk]))
    assert Assessment.objects.get().state == Assessment.State.IN_REVIEW
