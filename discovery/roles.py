from core.roles import Role

# Admins hold every permission (core.roles.sync_roles); log sources are theirs alone.
PERMISSIONS = {
    Role.COMPLIANCE_OFFICER: [
        "discovery.ingest_logs",
        "discovery.triage_finding",
        "discovery.change_usagebudget",
        "inventory.add_aisystem",
        "inventory.change_aisystem",
        "inventory.add_vendor",
    ],
}
