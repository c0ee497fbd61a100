"""Reassessment has one owner: regulations schedules it on `assessment_approved`, from the structured
cadence of the obligation that calls for the template (issue 14 §5)."""

import datetime as dt
from types import SimpleNamespace

from core.models import AuditEntry
from regulations.models import AssessmentTemplate, Deadline
from regulations.services.deadlines import reassessment_schedule, review_period
from regulations.signals import assessment_approved

APPROVED = dt.date(2026, 12, 4)


def _template(key: str) -> AssessmentTemplate:
    return AssessmentTemplate.objects.get(key=key)


def _schedule(officer, system, template, *, source_id: str) -> Deadline:
    """What an assessment approved on APPROVED schedules."""
    return reassessment_schedule(
        actor=officer,
        system=system,
        template=template,
        approved_on=APPROVED,
        source_type="assessments.assessment",
        source_id=source_id,
    )


def test_a_three_year_cadence_schedules_three_years_not_annual(real_content, officer, make_system):
    system = make_system(name="Payroll scorer")
    template = _template("ca.cppa-2026-r2.template.risk-assessment")
    obligation, period, from_content = review_period(template)
    assert (obligation.key, period, from_content) == (
        "ca.cppa-2026-r2.obligation.ca-03",
        "every:P3Y",
        True,
    )
    deadline = _schedule(officer, system, template, source_id="41")
    assert deadline.due_date == dt.date(2029, 12, 4)
    assert deadline.recurrence == "every:P3Y"
    assert deadline.kind == Deadline.Kind.REASSESSMENT
    assert AuditEntry.objects.filter(action="deadline.create", target_id=str(deadline.pk)).exists()


def test_the_signal_schedules_exactly_one_reassessment(real_content, officer, make_system):
    system = make_system(name="Hiring screener")
    template = _template("eu.2024-1689-omnibus-r2.template.fria")
    assessment = SimpleNamespace(pk=7, current_revision=2)
    assessment_approved.send(
        sender=None,
        assessment=assessment,
        system=system,
        template=template,
        actor=officer,
        approved_on=APPROVED,
    )
    deadlines = Deadline.objects.filter(kind="reassessment", source_id="7")
    assert deadlines.count() == 1
    assert deadlines.get().source_type == "assessments.assessment"


def test_a_template_without_a_periodic_duty_gets_the_default_and_says_so(
    real_content, officer, make_system
):
    system = make_system(name="Notice writer")
    template = _template("co.sb26-189-r2.template.pre-use-notice")
    _obligation, period, from_content = review_period(template)
    assert (period, from_content) == ("every:P1Y", False)
    deadline = _schedule(officer, system, template, source_id="8")
    assert deadline.due_date == dt.date(2027, 12, 4)
    assert "default every:P1Y" in deadline.notes
