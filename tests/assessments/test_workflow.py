import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments.models import Assessment, AssessmentRevision
from assessments.selectors import revision_diff, revision_verify
from assessments.services import (
    AnswerConflict,
    answer_save,
    assessment_approve,
    assessment_return,
    assessment_start,
    assessment_submit,
    attachment_add,
    comment_add,
)
from core.models import AuditEntry
from regulations.models import Deadline
from regulations.services.deadlines import last_approval
from tests.assessments import factories, samples


def test_start_prefills_mapped_questions_from_the_inventory(assessment):
    rev = assessment.revision()
    assert rev.answers["a.process"] == "Ranks job applicants for recruiters."
    assert rev.answers["e.oversight"] == {"value": "yes", "explanation": ""}
    assert rev.answer_meta["a.process"]["prefilled"] is True
    assert rev.template_version.startswith("eu/2026-08/eu.fria@")
    assert AuditEntry.objects.filter(action="assessment.start").count() == 1


def test_starting_twice_reopens_the_same_assessment(officer, assessment):
    again = assessment_start(actor=officer, system=assessment.system, template=assessment.template)
    assert again.pk == assessment.pk


def test_save_bumps_the_field_version_and_clears_prefilled(officer, assessment):
    rev, version = answer_save(
        actor=officer,
        assessment=assessment,
        question_id="a.process",
        raw="Shortlisting",
        base_version=1,
    )
    assert version == 2
    assert rev.answers["a.process"] == "Shortlisting"
    assert rev.answer_meta["a.process"]["prefilled"] is False


def test_stale_save_raises_conflict_with_both_values_and_keeps_theirs(
    officer, officer2, assessment
):
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id="a.process",
        raw="Officer one",
        base_version=1,
    )
    with pytest.raises(AnswerConflict) as caught:
        answer_save(
            actor=officer2,
            assessment=assessment,
            question_id="a.process",
            raw="Officer two",
            base_version=1,
        )
    conflict = caught.value
    assert (conflict.mine, conflict.theirs) == ("Officer two", "Officer one")
    assert conflict.theirs_by == "officer" and conflict.theirs_version == 2
    assert assessment.revision().answers["a.process"] == "Officer one"
    # Choosing "keep mine" re-sends against the version the user has now seen.
    answer_save(
        actor=officer2,
        assessment=assessment,
        question_id="a.process",
        raw="Officer two",
        base_version=conflict.theirs_version,
    )
    assert assessment.revision().answers["a.process"] == "Officer two"


def test_edits_to_different_fields_do_not_conflict(officer, officer2, assessment):
    answer_save(
        actor=officer, assessment=assessment, question_id="a.process", raw="x", base_version=1
    )
    answer_save(
        actor=officer2,
        assessment=assessment,
        question_id="a.frequency",
        raw="daily",
        base_version=0,
    )
    assert assessment.revision().answers["a.frequency"] == "daily"


def test_invalid_choice_is_rejected(officer, assessment):
    with pytest.raises(ValidationError, match="not one of the choices"):
        answer_save(
            actor=officer,
            assessment=assessment,
            question_id="a.frequency",
            raw="hourly",
            base_version=0,
        )


def test_rich_text_is_sanitised(officer, assessment):
    rev, _ = answer_save(
        actor=officer,
        assessment=assessment,
        question_id="d.risks",
        raw='<p onclick="x()">Bias <script>alert(1)</script><strong>high</strong></p>',
        base_version=0,
    )
    assert rev.answers["d.risks"] == "<p>Bias <strong>high</strong></p>"


def test_submit_lists_missing_required_questions(officer, assessment):
    with pytest.raises(ValidationError) as caught:
        assessment_submit(actor=officer, assessment=assessment)
    assert caught.value.params["missing"] == ["a.frequency", "c.groups"]


def test_four_eyes_blocks_self_approval_but_allows_a_second_officer(officer, officer2, assessment):
    factories.fill_required(officer, assessment)
    assessment_submit(actor=officer, assessment=assessment)
    with pytest.raises(PermissionDenied, match="own submission"):
        assessment_approve(actor=officer, assessment=assessment)
    revision = assessment_approve(actor=officer2, assessment=assessment)
    assert revision.approved_by == officer2
    assert len(revision.approval_hash) == 64
    assert revision_verify(revision) == "verified"


def test_four_eyes_can_be_switched_off(settings, officer, assessment):
    settings.SIGHTLINE_FOUR_EYES = False
    factories.fill_required(officer, assessment)
    assessment_submit(actor=officer, assessment=assessment)
    assert assessment_approve(actor=officer, assessment=assessment).approved_by == officer


def test_procurement_cannot_approve(officer, procurement, assessment):
    factories.fill_required(officer, assessment)
    assessment_submit(actor=officer, assessment=assessment)
    with pytest.raises(PermissionDenied):
        assessment_approve(actor=procurement, assessment=assessment)


def test_approval_schedules_reassessment_at_the_obligation_cadence(officer, officer2, assessment):
    factories.fill_required(officer, assessment)
    assessment_submit(actor=officer, assessment=assessment)
    revision = assessment_approve(actor=officer2, assessment=assessment)
    deadline = Deadline.objects.get(kind="reassessment", source_id=str(assessment.pk))
    approved_on = revision.approved_at.date()
    assert deadline.due_date == approved_on.replace(year=approved_on.year + 2)  # every:P2Y
    assert deadline.obligation_key == "eu.deployer.fria"


def test_regulations_anchors_reviews_on_the_latest_approval(officer, officer2, assessment):
    assert last_approval(system=assessment.system) is None
    factories.fill_required(officer, assessment)
    assessment_submit(actor=officer, assessment=assessment)
    revision = assessment_approve(actor=officer2, assessment=assessment)
    assert last_approval(system=assessment.system) == timezone.localdate(revision.approved_at)


def test_return_needs_a_reason_and_reopens_for_editing(officer, officer2, assessment):
    factories.fill_required(officer, assessment)
    assessment_submit(actor=officer, assessment=assessment)
    with pytest.raises(ValidationError):
        answer_save(
            actor=officer, assessment=assessment, question_id="a.process", raw="x", base_version=1
        )
    with pytest.raises(ValidationError, match="reason"):
        assessment_return(actor=officer2, assessment=assessment, reason=" ")
    assessment_return(actor=officer2, assessment=assessment, reason="Add the complaint process")
    assessment.refresh_from_db()
    assert assessment.state == Assessment.State.RETURNED
    answer_save(
        actor=officer, assessment=assessment, question_id="a.process", raw="x", base_version=1
    )


def test_edit_after_approval_starts_revision_two_and_keeps_one_frozen(
    officer, officer2, assessment
):
    factories.fill_required(officer, assessment)
    assessment_submit(actor=officer, assessment=assessment)
    first = assessment_approve(actor=officer2, assessment=assessment)
    rev2, _ = answer_save(
        actor=officer, assessment=assessment, question_id="a.frequency", raw="daily", base_version=1
    )
    assessment.refresh_from_db()
    assert (rev2.number, assessment.state, assessment.current_revision) == (2, "draft", 2)
    first.refresh_from_db()
    assert first.answers["a.frequency"] == "weekly"
    assert revision_verify(first) == "verified"
    with pytest.raises(PermissionError):
        first.answers["a.frequency"] = "daily"
        first.save()
    first.refresh_from_db()
    diff = {
        row["question"].id: row for row in revision_diff(assessment=assessment, old=first, new=rev2)
    }
    assert diff["a.frequency"]["changed"] and diff["a.frequency"]["new"] == "daily"
    assert not diff["a.process"]["changed"]


def test_tampered_approved_answers_show_as_changed(officer, officer2, assessment):
    factories.fill_required(officer, assessment)
    assessment_submit(actor=officer, assessment=assessment)
    revision = assessment_approve(actor=officer2, assessment=assessment)
    AssessmentRevision.objects.filter(pk=revision.pk).update(answers={"a.frequency": "daily"})
    revision.refresh_from_db()
    assert revision_verify(revision) == "changed"


def test_attachment_is_sniffed_and_counted_in_the_hash(officer, assessment):
    pdf = SimpleUploadedFile("dpia.pdf", samples.PDF)
    rev, version = attachment_add(
        actor=officer, assessment=assessment, question_id="f.dpia", upload=pdf, base_version=0
    )
    assert rev.attachments["f.dpia"][0]["content_type"] == "application/pdf"
    with pytest.raises(ValidationError, match="Windows executable"):
        attachment_add(
            actor=officer,
            assessment=assessment,
            question_id="f.dpia",
            upload=SimpleUploadedFile("dpia.pdf", samples.EXE),
            base_version=version,
        )


def test_only_reviewers_comment(officer, auditor, assessment):
    comment = comment_add(
        actor=officer, assessment=assessment, question_id="a.process", body="Cite DPIA"
    )
    assert comment.revision_number == 1
    with pytest.raises(PermissionDenied):
        comment_add(actor=auditor, assessment=assessment, question_id="a.process", body="x")


def test_every_transition_is_audited(officer, officer2, assessment):
    factories.fill_required(officer, assessment)
    assessment_submit(actor=officer, assessment=assessment)
    assessment_return(actor=officer2, assessment=assessment, reason="more")
    assessment_submit(actor=officer, assessment=assessment)
    assessment_approve(actor=officer2, assessment=assessment)
    actions = list(
        AuditEntry.objects.filter(target_type="assessments.assessment")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "assessment.start",
        "assessment.answer",
        "assessment.answer",
        "assessment.submit",
        "assessment.return",
        "assessment.submit",
        "assessment.approve",
    ]
