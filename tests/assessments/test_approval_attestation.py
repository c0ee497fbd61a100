"""Signing off asks for an attestation and the password again, and an open reviewer comment
blocks approval until someone resolves it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, QuestionComment
from assessments.services import (
    assessment_approve,
    assessment_submit,
    comment_add,
    comment_resolve,
)
from core.models import AuditEntry
from tests.assessments.test_four_eyes import fill
from tests.conftest import PASSWORD


@pytest.fixture
def in_review(officer, assessment):
    fill(officer, assessment)
    assessment_submit(actor=officer, assessment=assessment)
    assessment.refresh_from_db()
    return assessment


def _approve(client, assessment, **data):
    return client.post(
        reverse("assessments:assessment-approve", args=[assessment.pk]), data, follow=True
    )


def _state(assessment) -> str:
    return Assessment.objects.get(pk=assessment.pk).state


def test_approval_needs_the_attestation(client, officer2, in_review):
    client.force_login(officer2)
    page = _approve(client, in_review, password=PASSWORD)
    assert b"Tick the statement" in page.content
    assert _state(in_review) == Assessment.State.IN_REVIEW


def test_approval_needs_the_right_password(client, officer2, in_review):
    client.force_login(officer2)
    assert b"Enter your password" in _approve(client, in_review, attest="yes").content
    wrong = _approve(client, in_review, attest="yes", password="not-it")
    assert b"password is not right" in wrong.content
    assert _state(in_review) == Assessment.State.IN_REVIEW


def test_attested_and_reauthenticated_approval_records_the_statement(client, officer2, in_review):
    client.force_login(officer2)
    page = _approve(client, in_review, attest="yes", password=PASSWORD)
    assert b"Approved revision 1" in page.content
    assert _state(in_review) == Assessment.State.APPROVED
    entry = AuditEntry.objects.filter(action="assessment.approve").get()
    assert entry.changes["attestation"].startswith("I have reviewed every answer")
    assert "revision 1" in entry.changes["attestation"]


def test_the_form_shows_the_statement_and_a_password_box(client, officer2, in_review):
    client.force_login(officer2)
    body = client.get(reverse("assessments:assessment-detail", args=[in_review.pk])).content
    assert b'name="attest"' in body and b'name="password"' in body
    assert b"I have reviewed every answer" in body


def test_a_single_sign_on_account_needs_a_recent_sign_in(client, officer2, in_review):
    officer2.set_unusable_password()
    officer2.last_login = timezone.now() - dt.timedelta(hours=2)
    officer2.save()
    client.force_login(officer2)  # force_login does not touch last_login
    officer2.last_login = timezone.now() - dt.timedelta(hours=2)
    officer2.save(update_fields=["last_login"])
    page = _approve(client, in_review, attest="yes")
    assert b"Sign out and in again" in page.content
    assert _state(in_review) == Assessment.State.IN_REVIEW
    officer2.last_login = timezone.now()
    officer2.save(update_fields=["last_login"])
    _approve(client, in_review, attest="yes")
    assert _state(in_review) == Assessment.State.APPROVED


def test_an_open_comment_blocks_approval_until_resolved(client, officer, officer2, in_review):
    comment = comment_add(
        actor=officer2, assessment=in_review, question_id="a.frequency", body="Which policy?"
    )
    with pytest.raises(ValidationError, match="unresolved"):
        assessment_approve(actor=officer2, assessment=in_review)
    client.force_login(officer2)
    detail = client.get(reverse("assessments:assessment-detail", args=[in_review.pk])).content
    assert b"reviewer comment still open" in detail and b'id="approve"' not in detail
    assert b"Which policy?" in detail

    response = client.post(
        reverse("assessments:comment-resolve", args=[in_review.pk, comment.pk]),
        HTTP_HX_REQUEST="true",
    )
    assert b"resolved" in response.content
    comment.refresh_from_db()
    assert comment.resolved_by == officer2 and comment.resolved_at is not None
    assert AuditEntry.objects.filter(action="assessment.comment_resolve").count() == 1
    with pytest.raises(ValidationError, match="already resolved"):
        comment_resolve(actor=officer, comment=comment)

    _approve(client, in_review, attest="yes", password=PASSWORD)
    assert _state(in_review) == Assessment.State.APPROVED
    assert QuestionComment.objects.filter(resolved_at__isnull=True).count() == 0


def test_an_approved_assessment_asks_before_starting_revision_two(
    client, officer, officer2, in_review
):
    assessment_approve(actor=officer2, assessment=in_review)
    client.force_login(officer)
    url = reverse("assessments:assessment-detail", args=[in_review.pk])
    body = client.get(url).content.decode()
    assert "Start revision 2?" in body
    assert 'name="value"' in body and "disabled" in body  # frozen until asked
    response = client.post(reverse("assessments:revision-start", args=[in_review.pk]))
    assert response["Location"] == f"{url}?started=2"
    in_review.refresh_from_db()
    assert in_review.state == Assessment.State.DRAFT and in_review.current_revision == 2
    page = client.get(response["Location"]).content.decode()
    assert "revision 2 (draft; revision 1 is approved)" in page
    assert "Revision 2 started" in page
    entry = AuditEntry.objects.filter(action="assessment.revision_start").get()
    assert entry.changes["revision"] == [1, 2]
    again = client.post(reverse("assessments:revision-start", args=[in_review.pk]), follow=True)
    assert b"Only an approved assessment" in again.content


def test_api_approval_needs_the_attestation_and_records_it(officer2, in_review):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(officer2)
    url = reverse("api-assessment-transition", args=[in_review.pk])
    refused = api.post(url, {"action": "approve"}, format="json")
    assert refused.status_code == 400
    assert "I have reviewed every answer" in refused.json()["attest"]
    assert _state(in_review) == Assessment.State.IN_REVIEW
    assert api.post(url, {"action": "approve", "attest": True}, format="json").status_code == 200
    entry = AuditEntry.objects.filter(action="assessment.approve").get()
    assert "revision 1" in entry.changes["attestation"]
