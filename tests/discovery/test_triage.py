"""Triage services: sanction into the inventory, block, dismiss, assign; all audited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.audit import audit_verify
from core.models import AuditEntry
from discovery.models import BlocklistEntry, DiscoveredApp, Finding
from discovery.services.triage import (
    finding_assign,
    finding_block,
    finding_dismiss,
    finding_sanction,
)
from inventory.models import AISystem, Vendor
from tests.conftest import PASSWORD
from tests.discovery.conftest import SQUID
from tests.discovery.factories import FindingFactory
from tests.factories import VendorFactory


@pytest.fixture
def findings(ingest):
    ingest(SQUID)
    return Finding.objects


def one(findings, app_key, kind=Finding.Kind.UNSANCTIONED_USE):
    return findings.get(app_key=app_key, kind=kind)


def test_sanction_creates_a_discovered_system_with_provenance_and_vendor(findings, officer):
    finding = one(findings, "claude")
    system = finding_sanction(finding=finding, actor=officer)
    assert system.origin == AISystem.Origin.DISCOVERED
    assert system.sanction_status == AISystem.SanctionStatus.SANCTIONED
    assert system.name == "Claude"
    assert system.vendor == Vendor.objects.get(name="Anthropic")
    assert f"ingest run #{finding.run_id}" in system.provenance
    assert "first seen 2026-11-" in system.provenance
    assert system.first_seen == finding.first_seen
    finding.refresh_from_db()
    assert finding.state == Finding.State.SANCTIONED and finding.system == system
    assert DiscoveredApp.objects.get(app_key="claude").system == system
    # The new-app finding about the same app is answered by the same decision.
    assert one(findings, "claude", Finding.Kind.NEW_APP).state == Finding.State.SANCTIONED
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"discovery.finding.sanction", "system.create", "vendor.create"} <= actions
    assert audit_verify().ok


def test_sanction_reuses_an_existing_vendor(findings, officer):
    VendorFactory(name="Anthropic")
    finding_sanction(finding=one(findings, "claude"), actor=officer)
    assert Vendor.objects.filter(name="Anthropic").count() == 1


def test_sanctioned_app_is_not_reported_again(findings, officer, ingest, copy_of):
    finding_sanction(finding=one(findings, "claude"), actor=officer)
    extra = "1795300000.000    100 192.0.2.11 TCP_TUNNEL/200 500 CONNECT claude.ai:443 bob HIER_DIRECT/198.51.100.20 -\n"
    ingest(copy_of(SQUID, append=extra))
    assert not Finding.objects.filter(
        app_key="claude", kind=Finding.Kind.UNSANCTIONED_USE, state="open"
    ).exists()


def test_block_lists_the_app_hosts_and_blocks_its_system(findings, officer):
    system = finding_sanction(finding=one(findings, "deepseek"), actor=officer)
    spike_free = one(findings, "claude")
    entries = finding_block(finding=spike_free, actor=officer, reason="Consumer terms")
    assert "claude.ai" in {e.domain for e in entries}
    assert one(findings, "claude").state == Finding.State.BLOCKED
    # Blocking an app that has a system marks the system blocked too.
    blocked_use = FindingFactory(
        kind=Finding.Kind.BLOCKED_USE,
        severity="high",
        title="DeepSeek used",
        dedupe_key="blocked_use:deepseek",
        app_key="deepseek",
        first_seen=system.first_seen,
        last_seen=system.last_seen,
    )
    finding_block(finding=blocked_use, actor=officer)
    system.refresh_from_db()
    assert system.sanction_status == AISystem.SanctionStatus.BLOCKED
    assert BlocklistEntry.objects.filter(domain="chat.deepseek.com").exists()
    assert AuditEntry.objects.filter(action="discovery.finding.block").count() == 2


def test_dismiss_needs_a_reason(findings, officer):
    finding = one(findings, "character-ai")
    with pytest.raises(ValidationError):
        finding_dismiss(finding=finding, actor=officer, reason="  ")
    finding_dismiss(finding=finding, actor=officer, reason="Approved research pilot")
    finding.refresh_from_db()
    assert finding.state == Finding.State.DISMISSED
    assert finding.dismiss_reason == "Approved research pilot"
    entry = AuditEntry.objects.get(action="discovery.finding.dismiss")
    assert entry.changes["dismiss_reason"] == [None, "Approved research pilot"]


def test_a_decided_finding_cannot_be_triaged_again(findings, officer):
    finding = one(findings, "deepseek")
    finding_dismiss(finding=finding, actor=officer, reason="ok")
    with pytest.raises(ValidationError, match="already dismissed"):
        finding_sanction(finding=finding, actor=officer)


def test_assign_keeps_the_finding_open(findings, officer, officer2):
    finding = finding_assign(finding=one(findings, "deepseek"), actor=officer, assignee=officer2)
    assert finding.state == Finding.State.ASSIGNED and finding.assignee == officer2
    assert finding.is_open
    with pytest.raises(ValidationError):
        finding_assign(finding=finding, actor=officer, assignee=None)


def test_htmx_sanction_button_swaps_the_row(client, findings, officer):
    finding = one(findings, "claude")
    client.login(username=officer.username, password=PASSWORD)
    response = client.post(
        reverse("discovery:finding-sanction", kwargs={"pk": finding.pk}), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="finding-{finding.pk}"' in body and "Sanctioned as inventory system" in body


def test_htmx_dismiss_without_reason_shows_the_error_in_the_row(client, findings, officer):
    finding = one(findings, "deepseek")
    client.login(username=officer.username, password=PASSWORD)
    response = client.post(
        reverse("discovery:finding-dismiss", kwargs={"pk": finding.pk}),
        {"reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert b"Give a reason" in response.content
    finding.refresh_from_db()
    assert finding.state == Finding.State.OPEN


def test_api_triage_uses_the_same_services(client, findings, officer):
    finding = one(findings, "deepseek")
    client.login(username=officer.username, password=PASSWORD)
    url = reverse("discovery-api-finding-triage", kwargs={"pk": finding.pk, "action": "block"})
    response = client.post(url, {"reason": "PRC data residency"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["state"] == "blocked"
    bad = client.post(url, {}, content_type="application/json")
    assert bad.status_code == 400


def test_auditor_cannot_triage(client, findings, auditor):
    finding = one(findings, "deepseek")
    client.login(username=auditor.username, password=PASSWORD)
    response = client.post(reverse("discovery:finding-block", kwargs={"pk": finding.pk}))
    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.state == Finding.State.OPEN


def test_sanction_as_an_existing_system_links_instead_of_creating(client, findings, officer):
    from tests.factories import AISystemFactory

    existing = AISystemFactory(name="Claude for Work", sanction_status="under_review")
    finding = one(findings, "claude")
    client.login(username=officer.username, password=PASSWORD)
    response = client.post(
        reverse("discovery:finding-sanction", kwargs={"pk": finding.pk}),
        {"system": existing.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Claude for Work" in response.content.decode()
    assert AISystem.objects.count() == 1
    existing.refresh_from_db()
    assert existing.sanction_status == AISystem.SanctionStatus.SANCTIONED
    assert DiscoveredApp.objects.get(app_key="claude").system == existing
    bad = client.post(
        reverse("discovery:finding-sanction", kwargs={"pk": one(findings, "deepseek").pk}),
        {"system": "99999"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 200 and b"Choose an existing inventory system" in bad.content
