"""Assessment answers linked to the risk or control they claim as their mitigation; and the
programme's panel on the assessment page (core.extensions `assessment_panel`)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from assessments.answers import question_map
from assessments.models import Assessment
from core.audit import audit_record
from programme.models import AnswerLink, Control, Risk, RiskControl
from programme.selectors import (
    best_status,
    control_library,
    control_status_for_system,
    controls_for_system,
)

LINK_PERMISSION = "programme.change_risk"


def risks_for_assessment(assessment: Assessment) -> QuerySet[Risk]:
    """The assessed system's risks and the organisation-wide ones."""
    return Risk.objects.filter(
        Q(system_id=assessment.system_id) | Q(system__isnull=True)
    ).select_related("category", "system")


@transaction.atomic
def answer_link_create(
    *,
    actor,
    assessment: Assessment,
    question_id: str,
    risk: Risk | None = None,
    control: Control | None = None,
    note: str = "",
) -> AnswerLink:
    """Either a risk of the assessed system (or organisation-wide) or a control; audited."""
    question = question_map(assessment.template).get(question_id)
    if question is None:
        raise ValidationError({"question_id": "This assessment has no such question."})
    if (risk is None) == (control is None):
        raise ValidationError("Link the answer to one risk or to one control.")
    if risk is not None and not risks_for_assessment(assessment).filter(pk=risk.pk).exists():
        raise ValidationError({"risk": "Choose a risk of this system or an organisation-wide one."})
    link = AnswerLink(
        assessment=assessment,
        question_id=question_id,
        risk=risk,
        control=control,
        note=note.strip()[:300],
        created_by=actor,
    )
    link.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError as err:
        raise ValidationError("This answer is already linked to it.") from err
    target = f"risk #{risk.pk} {risk.title}" if risk else f"control {control.code}"
    audit_record(
        actor=actor,
        action="assessment.answer_link",
        target=assessment,
        changes={
            "question": [None, question_id],
            "link": [None, target],
            "note": [None, link.note],
        },
    )
    return link


@transaction.atomic
def answer_link_delete(*, actor, link: AnswerLink) -> None:
    target = f"risk #{link.risk_id}" if link.risk_id else f"control {link.control.code}"
    audit_record(
        actor=actor,
        action="assessment.answer_unlink",
        target=link.assessment,
        changes={"question": [link.question_id, None], "link": [target, None]},
    )
    link.delete()


def assessment_panel(*, request, assessment: Assessment) -> dict | None:
    """Linked mitigations per answer, and the controls the assessed system carries with their
    status and evidence (the OWASP LLM controls for systems that call tools or retrieve)."""
    system = assessment.system
    questions = question_map(assessment.template)
    links = list(
        AnswerLink.objects.filter(assessment=assessment).select_related(
            "risk", "control", "created_by"
        )
    )
    status = control_status_for_system(system=system)
    carried = [
        {
            "control": c,
            "status": dict(RiskControl.Status.choices).get(best_status(status.get(c.code, [])), ""),
            "evidence": [e for m in status.get(c.code, []) for e in m.evidence.all()],
        }
        for c in controls_for_system(system=system)
    ]
    can_link = request.user.has_perm(LINK_PERMISSION)
    return {
        "links": [{"link": link, "question": questions.get(link.question_id)} for link in links],
        "carried": carried,
        "can_link": can_link,
        "questions": list(questions.values()) if can_link else [],
        "risks": list(risks_for_assessment(assessment).order_by("-pk")[:200]) if can_link else [],
        "controls": list(control_library()) if can_link else [],
    }
