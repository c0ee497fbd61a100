"""Real concurrent writers (PostgreSQL): exactly one of two saves on the same base version wins."""

import threading

import pytest
from django.db import connections

from assessments.models import Assessment
from assessments.services import AnswerConflict, answer_save, assessment_start
from tests.assessments import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


def test_two_simultaneous_saves_on_one_version_one_wins_one_conflicts(officer, officer2):
    system = factories.system()
    assessment = assessment_start(actor=officer, system=system, template=factories.fria())
    barrier = threading.Barrier(2)
    outcomes = []

    def save(user, text):
        try:
            barrier.wait()
            answer_save(
                actor=user,
                assessment=Assessment.objects.get(pk=assessment.pk),
                question_id="a.process",
                raw=text,
                base_version=1,
            )
            outcomes.append(("saved", text))
        except AnswerConflict as conflict:
            outcomes.append(("conflict", conflict.theirs))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(u, t)) for u, t in ((officer, "A"), (officer2, "B"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["conflict", "saved"]
    winner = next(text for kind, text in outcomes if kind == "saved")
    loser_saw = next(text for kind, text in outcomes if kind == "conflict")
    assert loser_saw == winner
    rev = Assessment.objects.get(pk=assessment.pk).revision()
    assert rev.answers["a.process"] == winner and rev.answer_versions["a.process"] == 2
