"""Sanction is not the end of intake: a sanctioned app is "Needs facts" (not classified, in the
inbox) until its owner, purpose, jurisdictions and domains are set; blocking needs a reason."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.models import AuditEntry
from discovery.models import Finding
from discovery.services.triage import finding_sanction
from inventory.models import AISystem
from regulations.models import ClassificationResult
from regulations.services import classification_run
from tests.conftest import PASSWORD
from tests.discovery.conftest import SQUID


@pytest.fixture
def claude(ingest):
    ingest(SQUID)
    return Finding.objects.get(app_key="claude", kind=Finding.Kind.UNSANCTIONED_USE)


def test_sanction_creates_a_system_that_needs_facts_and_is_not_classified(claude, officer):
    system = finding_sanction(finding=claude, actor=officer)
    assert system.intake_pending and system.needs_facts
    assert "jurisdictions" in system.missing_facts()
    assert system.description  # prefilled from the catalogue
    assert AISystem.objects.filter(AISystem.needs_facts_q(), pk=system.pk).exists()
    assert classification_run(system=system) == []
    assert not ClassificationResult.objects.filter(system=system).exists()


def test_sanction_in_the_browser_opens_the_intake_form(client, claude, officer):
    client.login(username=officer.username, password=PASSWORD)
    response = client.post(reverse("discovery:finding-sanction", kwargs={"pk": claude.pk}))
    system = AISystem.objects.get(name__icontains="claude")
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:system-intake", args=[system.pk])
    htmx = client.get(response["Location"]).content.decode()
    assert "Needs facts" in htmx and system.description in htmx


def test_intake_sets_the_facts_and_then_the_system_is_classified(
    client, claude, officer, eager_celery, django_capture_on_commit_callbacks
):
    call_command("load_content", no_classify=True, stdout=io.StringIO())
    system = finding_sanction(finding=claude, actor=officer)
    client.login(username=officer.username, password=PASSWORD)
    url = reverse("inventory:system-intake", args=[system.pk])
    incomplete = client.post(url, {"owner": officer.pk, "description": "Drafting help"})
    assert incomplete.status_code == 200 and "This field is required" in incomplete.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url,
            {
                "owner": officer.pk,
                "description": "Drafts customer replies",
                "jurisdictions": ["DE", "CO"],
                "domains": ["customer_service"],
                "data_categories": ["contact"],
                "decision_role": "none",
            },
        )
    assert done.status_code == 302
    system.refresh_from_db()
    assert not system.needs_facts and not system.intake_pending
    assert ClassificationResult.objects.filter(system=system).exists()
    assert system.risk_tier  # the list's risk column has a value
    entry = AuditEntry.objects.filter(action="system.update", target_id=str(system.pk)).last()
    assert entry.changes["intake_pending"] == [True, False]


def test_block_without_a_reason_is_refused_in_the_row(client, ingest, officer):
    ingest(SQUID)
    finding = Finding.objects.get(app_key="deepseek", kind=Finding.Kind.UNSANCTIONED_USE)
    client.login(username=officer.username, password=PASSWORD)
    url = reverse("discovery:finding-block", kwargs={"pk": finding.pk})
    response = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Give a reason for blocking" in response.content.decode()
    finding.refresh_from_db()
    assert finding.state == Finding.State.OPEN
    client.post(url, {"reason": "Data residency"}, HTTP_HX_REQUEST="true")
    finding.refresh_from_db()
    assert finding.state == Finding.State.BLOCKED


def test_block_first_asks_why_and_confirms(client, ingest, officer):
    ingest(SQUID)
    finding = Finding.objects.get(app_key="deepseek", kind=Finding.Kind.UNSANCTIONED_USE)
    client.login(username=officer.username, password=PASSWORD)
    url = reverse("discovery:finding-block", kwargs={"pk": finding.pk})
    queue = client.get(reverse("discovery:finding-list")).content.decode()
    assert f'href="{url}" role="button"' in queue  # "Block…" opens the confirm step
    page = client.get(url).content.decode()  # without JavaScript: a page
    assert 'name="reason" required' in page and "Cancel" in page
    row = client.get(url, HTTP_HX_REQUEST="true").content.decode()  # in the row, with hx-confirm
    assert 'name="reason" required' in row and "hx-confirm=" in row
    finding.refresh_from_db()
    assert finding.state == Finding.State.OPEN  # asking blocks nothing


def test_a_sanctioned_system_waits_in_the_inbox_until_its_intake_is_done(claude, officer):
    from core.inbox import inbox_for
    from inventory.services import ai_system_intake_complete

    def waiting():
        section = {s.section.key: s for s in inbox_for(officer)}["systems-needing-facts"]
        return [(i.title, i.url) for i in section.items]

    system = finding_sanction(finding=claude, actor=officer)
    intake_url = reverse("inventory:system-intake", args=[system.pk])
    assert waiting() == [(system.name, intake_url)]
    ai_system_intake_complete(
        actor=officer,
        system=system,
        data={"owner": officer, "jurisdictions": ["CO"], "domains": ["productivity"]},
    )
    assert waiting() == []


def test_the_intake_service_refuses_to_end_intake_with_a_fact_missing(claude, officer):
    from django.core.exceptions import ValidationError

    from inventory.services import ai_system_intake_complete

    system = finding_sanction(finding=claude, actor=officer)
    with pytest.raises(ValidationError) as err:
        ai_system_intake_complete(
            actor=officer, system=system, data={"owner": officer, "jurisdictions": ["CO"]}
        )
    assert set(err.value.message_dict) == {"domains"}
    system.refresh_from_db()
    assert system.needs_facts
