"""AI-use requests: staff ask, officers decide, the inventory and classification follow."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import AuditEntry
from inventory.models import AISystem
from programme.models import AIUseRequest
from programme.selectors import ai_use_request_visible
from programme.services import (
    ai_use_request_complete,
    ai_use_request_decide,
    ai_use_request_invite,
    ai_use_request_submit,
)
from regulations.models import ClassificationResult
from tests.assessments.factories import load_real_content
from tests.conftest import PASSWORD
from tests.discovery.factories import CatalogAppFactory, CatalogVersionFactory, FindingFactory

pytestmark = pytest.mark.django_db

FORM = {
    "tool_name": "Claude",
    "purpose": "Screen résumés for the sales team",
    "data_description": "CVs",
    "data_categories": ["employment"],
    "affected_people": "Job applicants",
    "team": "Sales",
    "jurisdictions": ["CO"],
    "domains": ["employment"],
    "decision_role": "substantial_factor",
}


def test_submit_is_audited_and_only_the_requester_and_readers_see_it(
    requester, procurement, auditor
):
    item = ai_use_request_submit(actor=requester, data=FORM)
    entry = AuditEntry.objects.get(action="ai_request.submit", target_id=str(item.pk))
    assert entry.actor == requester
    assert entry.changes["tool_name"] == [None, "Claude"]
    assert list(ai_use_request_visible(user=requester)) == [item]
    assert list(ai_use_request_visible(user=procurement)) == []  # not theirs
    assert list(ai_use_request_visible(user=auditor)) == [item]


def test_approve_creates_a_classified_system_and_tells_the_requester(
    requester, officer, django_capture_on_commit_callbacks, eager_celery
):
    load_real_content("co")
    item = ai_use_request_submit(actor=requester, data=FORM)
    with django_capture_on_commit_callbacks(execute=True):
        item = ai_use_request_decide(actor=officer, request=item, decision="approved")
    system = AISystem.objects.get(pk=item.system_id)
    assert (system.name, system.owner, system.team) == ("Claude", requester, "Sales")
    assert system.jurisdictions == ["CO"] and system.domains == ["employment"]
    assert system.sanction_status == AISystem.SanctionStatus.SANCTIONED
    assert AuditEntry.objects.filter(action="system.create", target_id=str(system.pk)).exists()
    decide = AuditEntry.objects.get(action="ai_request.decide")
    assert decide.changes["status"] == ["submitted", "approved"]
    assert ClassificationResult.objects.filter(system=system).exists()
    assert [m.to for m in mail.outbox] == [[requester.email]]
    assert "approved" in mail.outbox[0].subject


def test_conditions_and_reasons_are_required(requester, officer):
    item = ai_use_request_submit(actor=requester, data=FORM)
    with pytest.raises(ValidationError):
        ai_use_request_decide(actor=officer, request=item, decision="approved_with_conditions")
    with pytest.raises(ValidationError):
        ai_use_request_decide(actor=officer, request=item, decision="rejected", reason="  ")
    item = ai_use_request_decide(
        actor=officer, request=item, decision="rejected", reason="Use Copilot"
    )
    assert item.status == "rejected" and item.system_id is None
    with pytest.raises(ValidationError):  # decided once
        ai_use_request_decide(actor=officer, request=item, decision="approved")
    assert not AISystem.objects.exists()


def test_a_finding_becomes_a_request_addressed_to_the_person_seen(requester, officer):
    t0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    finding = FindingFactory(
        title="Claude used", dedupe_key="u:claude", app_key="claude",
        first_seen=t0, last_seen=t0,
        evidence={"top_users": [{"identity": "REQUESTER@example.com", "requests": 48},
                                {"identity": "someone-else", "requests": 3}]},
    )  # fmt: skip
    item = ai_use_request_invite(actor=officer, finding=finding)
    assert item.requester == requester and item.status == AIUseRequest.Status.INVITED
    assert item.invitation.startswith("You used claude 48 times")
    assert AuditEntry.objects.filter(action="ai_request.invite", target_id=str(item.pk)).exists()
    with pytest.raises(PermissionDenied):
        ai_use_request_complete(actor=officer, request=item, data=FORM)
    item = ai_use_request_complete(actor=requester, request=item, data=FORM)
    assert item.status == AIUseRequest.Status.SUBMITTED and item.purpose == FORM["purpose"]


def test_a_finding_naming_nobody_known_is_a_clear_error(officer):
    t0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    finding = FindingFactory(
        dedupe_key="u:x", app_key="x", principal="ghost", first_seen=t0, last_seen=t0
    )
    with pytest.raises(ValidationError, match="ghost"):
        ai_use_request_invite(actor=officer, finding=finding)
    assert not AIUseRequest.objects.exists()


def test_pages_requester_submits_from_the_catalogue_and_sees_only_own(client, requester, officer):
    version = CatalogVersionFactory()
    CatalogAppFactory(version=version, key="claude", name="Claude", vendor="Anthropic")
    ai_use_request_submit(actor=officer, data={**FORM, "tool_name": "Officer's own tool"})
    client.login(username=requester.username, password=PASSWORD)
    options = client.get(reverse("programme:tool-search"), {"tool_name": "clau"})
    assert 'value="Claude"' in options.content.decode()
    response = client.post(reverse("programme:request-create"), FORM)
    assert response.status_code == 302
    mine = AIUseRequest.objects.get(requester=requester)
    assert (mine.catalog_key, mine.vendor_name) == ("claude", "Anthropic")
    page = client.get(reverse("programme:request-list")).content.decode()
    assert "Claude" in page and "Officer&#x27;s own tool" not in page
    denied = client.get(reverse("home"))
    assert denied.status_code == 403 and 'id="my-requests"' in denied.content.decode()
    bad = client.post(reverse("programme:request-create"), {**FORM, "tool_name": ""})
    assert bad.status_code == 400 and AIUseRequest.objects.filter(requester=requester).count() == 1
