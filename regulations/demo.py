"""Demo: an organisation profile, then every demo system classified synchronously (idempotent)."""

from __future__ import annotations

from inventory.models import AISystem
from regulations.models import Organisation, Regime
from regulations.services import classification_run, organisation_update

DEMO_ORG = {
    "name": "Acme Mutual Group",
    "org_kind": "private",
    "employees": 2400,
    "annual_revenue_usd": 650_000_000,
    "consumers_personal_data": 240_000,
    "consumers_sensitive_data": 18_000,
    "revenue_share_from_selling_data": 0.0,
    "does_business_in": ["CA", "CO", "CT", "EU"],
}


def seed(*, stdout) -> None:
    org = Organisation.get()
    if org.employees == 0 and org.name == Organisation._meta.get_field("name").default:
        organisation_update(actor=None, data=DEMO_ORG)
        stdout.write("regulations: organisation profile set.")
    if not Regime.objects.exists():
        stdout.write(
            "regulations: no content loaded; run load_content first. Skipping classification."
        )
        return
    count = 0
    for system in AISystem.objects.order_by("pk"):
        classification_run(system=system)
        count += 1
    stdout.write(f"regulations: classified {count} demo system(s).")
