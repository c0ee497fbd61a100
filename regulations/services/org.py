"""The organisation profile is edited by admins; every change is audited and re-classifies."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from core.audit import audit_record, diff, snapshot

# The module, not the task: tasks import the services, so the name is read at call time.
from regulations import tasks
from regulations.models import Organisation

ORG_FIELDS = ["name", "org_kind", "employees", "annual_revenue_usd", "consumers_personal_data",
              "consumers_sensitive_data", "revenue_share_from_selling_data", "does_business_in",
              "business_status", "revenue_incl_affiliates_usd", "agency_state", "org_unit",
              "md_exempt_unit"]  # fmt: skip


@transaction.atomic
def organisation_update(*, actor, data: Mapping[str, Any]) -> Organisation:
    """Org thresholds decide several regimes at once, so a change re-classifies every system."""
    org = Organisation.get()
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    before = snapshot(org, ORG_FIELDS)
    for name, value in data.items():
        if name in ORG_FIELDS:
            setattr(org, name, value)
    org.full_clean()
    changes = diff(before, snapshot(org, ORG_FIELDS))
    if not changes:
        return org
    org.save()
    audit_record(actor=actor, action="organisation.update", target=org, changes=changes)
    transaction.on_commit(lambda: tasks.classify_all_task.delay())
    return org
