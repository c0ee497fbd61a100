import io

import pytest

from core import demo as core_demo
from core.audit import audit_verify
from core.models import AuditEntry
from core.roles import is_reader
from inventory import demo as inventory_demo
from programme import demo as programme_demo
from programme.content_loader import load_programme_content
from programme.models import AIUseRequest, RightsRequest, Risk, RiskControl, TrainingCompletion

pytestmark = pytest.mark.django_db


def seed():
    for module in (core_demo, inventory_demo, programme_demo):
        module.seed(stdout=io.StringIO())


def test_programme_demo_is_idempotent_audited_and_has_a_requester():
    load_programme_content()
    seed()
    counts = (
        AIUseRequest.objects.count(), Risk.objects.count(), RiskControl.objects.count(),
        TrainingCompletion.objects.count(), RightsRequest.objects.count(), AuditEntry.objects.count(),
    )  # fmt: skip
    seed()
    assert (
        AIUseRequest.objects.count(), Risk.objects.count(), RiskControl.objects.count(),
        TrainingCompletion.objects.count(), RightsRequest.objects.count(), AuditEntry.objects.count(),
    ) == counts  # fmt: skip
    assert counts[:5] == (2, 4, 5, 2, 2)
    staff = AIUseRequest.objects.first().requester
    assert staff.username == "staff" and not is_reader(staff)
    assert audit_verify().ok


def test_full_demo_links_an_assessment_answer_to_its_risk():
    from django.core.management import call_command

    from core.extensions import app_hooks
    from programme.models import AnswerLink

    call_command("load_content", no_classify=True, stdout=io.StringIO())
    for hook in app_hooks("seed_demo"):
        if hook.app.label != "evidence":
            hook.target(stdout=io.StringIO())
    link = AnswerLink.objects.select_related("risk", "assessment__system").get()
    assert link.risk.system == link.assessment.system
    assert "risk" in link.question_id or link.note
