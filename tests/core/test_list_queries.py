"""The audit trail page filters through AuditEntryFilter in a pinned number of queries."""

from django.urls import reverse

from core.audit import audit_record
from tests.factories import AISystemFactory


def test_audit_list_filters_by_action_in_pinned_queries(
    client, officer, auditor, django_assert_num_queries
):
    for system in AISystemFactory.create_batch(3):
        audit_record(actor=officer, action="system.create", target=system)
        audit_record(actor=officer, action="system.update", target=system)
    client.force_login(auditor)
    with django_assert_num_queries(10):
        response = client.get(reverse("audit-list"), {"action": "system.create"})
    assert [e.action for e in response.context["page"]] == ["system.create"] * 3
