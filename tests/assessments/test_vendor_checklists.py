"""The vendor page links each system's checklist and evidence, and every vendor whose system
the regimes ask documentation for gets a checklist."""

from django.urls import reverse

from assessments.models import VendorChecklist
from assessments.services import checklists_ensure
from core.models import AuditEntry
from tests.assessments import factories


def test_every_vendor_system_that_needs_a_checklist_gets_one(procurement):
    needs = factories.classified_system()  # high-risk under the EU content: items apply
    unclassified = factories.system(vendor_obj=factories.vendor("Plain Co"), name="Notes helper")
    made = checklists_ensure(actor=procurement)
    assert [(c.vendor_id, c.system_id) for c in made] == [(needs.vendor_id, needs.pk)]
    assert not VendorChecklist.objects.filter(system=unclassified).exists()
    assert AuditEntry.objects.filter(action="checklist.create").count() == 1
    assert checklists_ensure(actor=procurement) == []  # once


def test_vendor_page_links_the_checklist_or_offers_one(client, procurement, auditor):
    system = factories.classified_system()
    client.force_login(procurement)
    url = reverse("inventory:vendor-detail", args=[system.vendor_id])
    body = client.get(url).content.decode()
    assert "checklist needed" in body and "Create checklist" in body
    checklists_ensure(actor=procurement)
    checklist = VendorChecklist.objects.get(system=system)
    body = client.get(url).content.decode()
    assert reverse("assessments:checklist-detail", args=[checklist.pk]) in body
    assert "checklist needed" not in body
    client.force_login(auditor)
    assert "Create checklist" not in client.get(url).content.decode()
