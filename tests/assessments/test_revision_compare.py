"""Revision comparison: changes only unless asked, with the changed words marked in answers."""

from django.urls import reverse

from assessments.services import answer_save, assessment_approve, assessment_submit
from assessments.worddiff import word_diff
from tests.assessments.test_four_eyes import fill


def test_word_diff_marks_only_the_changed_words():
    old, new = word_diff("answered within 15 days by post", "answered within 10 days by e-mail")
    assert [t for k, t in old if k == "del"] == ["15", "post"]
    assert [t for k, t in new if k == "ins"] == ["10", "e-mail"]
    assert "".join(t for _, t in old) == "answered within 15 days by post"
    assert "".join(t for _, t in new) == "answered within 10 days by e-mail"


def test_comparison_shows_changes_only_by_default(client, officer, officer2, assessment):
    fill(officer, assessment)
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id="a.process",
        raw="Screening of applicants by score",
        base_version=assessment.revision().answer_versions.get("a.process", 0),
    )
    assessment.refresh_from_db()
    assessment_submit(actor=officer, assessment=assessment)
    assessment_approve(actor=officer2, assessment=assessment)
    assessment.refresh_from_db()
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id="a.process",
        raw="Screening of job applicants by score",
        base_version=assessment.revision().answer_versions.get("a.process", 0),
    )
    client.force_login(officer)
    url = reverse("assessments:revision-list", args=[assessment.pk])
    page = client.get(url)
    rows = page.context["rows"]
    assert [r["question"].id for r in rows] == ["a.process"]
    body = page.content.decode()
    assert "Screening of<ins> job</ins> applicants by score" in body
    assert "Unchanged answers are hidden" in body
    every = client.get(url, {"show": "all"}).context["rows"]
    assert len(every) == page.context["total"] > 1
