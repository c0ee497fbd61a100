"""A question answerable only after approval (a notification date) is not required to submit."""

import pytest
from django.urls import reverse

from assessments.answers import question_map
from assessments.models import Assessment
from assessments.selectors import section_progress
from assessments.services import answer_save, assessment_start, assessment_submit
from assessments.services.assessment import missing_required
from regulations.schema.models import Question as SchemaQuestion
from tests.assessments.factories import fill_required

NOTIFY = {
    "id": "g.notified",
    "text": "Date the market-surveillance authority was notified of the results",
    "type": "date",
    "required": True,
    "after_approval": True,
    "citation": "Art 27(3)",
}


@pytest.fixture
def with_notify_question(assessment):
    template = assessment.template
    template.sections = [
        *template.sections,
        {"id": "g", "title": "Notification", "questions": [NOTIFY]},
    ]
    template.save(update_fields=["sections"])
    assessment.refresh_from_db()
    return assessment


def test_the_content_schema_takes_the_flag():
    q = SchemaQuestion(**{**NOTIFY, "confidence": "H"})
    assert q.after_approval is True
    assert SchemaQuestion(**{**NOTIFY, "after_approval": False, "confidence": "H"}).required


def test_an_after_approval_question_does_not_block_submission(officer, with_notify_question):
    assessment = with_notify_question
    fill_required(officer, assessment)
    assert missing_required(assessment, assessment.revision()) == []
    assessment_submit(actor=officer, assessment=assessment)
    assert Assessment.objects.get(pk=assessment.pk).state == Assessment.State.IN_REVIEW


def test_a_plain_required_question_still_blocks(officer, with_notify_question):
    assessment = with_notify_question
    template = assessment.template
    template.sections[-1]["questions"][0] = {**NOTIFY, "after_approval": False}
    template.save(update_fields=["sections"])
    assessment.refresh_from_db()
    fill_required(officer, assessment)
    assert [q.id for q in missing_required(assessment, assessment.revision())] == ["g.notified"]


def test_the_form_marks_it_and_progress_does_not_count_it(client, officer, with_notify_question):
    client.force_login(officer)
    body = client.get(
        reverse("assessments:assessment-detail", args=[with_notify_question.pk])
    ).content.decode()
    assert "answer after approval" in body
    fill_required(officer, with_notify_question)
    sections = client.get(
        reverse("assessments:assessment-detail", args=[with_notify_question.pk])
    ).context["sections"]
    assert sum(s["progress"]["required_missing"] for s in sections) == 0
    notify_rows = [r for s in sections for r in s["rows"] if r.question.id == "g.notified"]
    assert section_progress(notify_rows)["required_missing"] == 0


def _answer(question):
    """A valid answer of the question's type, as the form would post it."""
    if question.type in ("choice", "multichoice") and question.choices:
        first = question.choices[0][0]
        return [first] if question.type == "multichoice" else first
    return {
        "date": "2027-01-15",
        "yesno": {"value": "yes", "explanation": ""},
        "richtext": "<p>Described in the deployment plan.</p>",
    }.get(question.type, "Described in the deployment plan.")


def test_real_fria_notification_date_is_after_approval_and_can_stay_empty(officer, credit_system):
    from regulations.models import AssessmentTemplate
    from regulations.selectors import templates_for_system

    r2 = AssessmentTemplate.objects.filter(
        key__endswith=".fria", content_version__file_path__endswith="-r2.yaml"
    )
    assert r2.count() >= 2  # original and omnibus readings
    for template in r2:
        notify = [q for q in question_map(template).values() if q.id.endswith("fria-notify-date")]
        assert [(q.required, q.after_approval) for q in notify] == [(True, True)], template

    fria = next(t for t in templates_for_system(credit_system) if t.key.endswith(".fria"))
    assessment = assessment_start(actor=officer, system=credit_system, template=fria)
    questions = question_map(fria)
    notify_id = next(qid for qid in questions if qid.endswith("fria-notify-date"))
    assert questions[notify_id].after_approval
    for question in missing_required(assessment, assessment.revision()):
        assert question.type != "file", question.id  # no upload needed to submit the FRIA
        answer_save(
            actor=officer,
            assessment=assessment,
            question_id=question.id,
            raw=_answer(question),
            base_version=assessment.revision().answer_versions.get(question.id, 0),
        )
    assert missing_required(assessment, assessment.revision()) == []
    assert notify_id not in assessment.revision().answers
    assessment_submit(actor=officer, assessment=assessment)
    assert Assessment.objects.get(pk=assessment.pk).state == Assessment.State.IN_REVIEW
