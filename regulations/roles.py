from core.roles import Role

PERMISSIONS = {
    Role.COMPLIANCE_OFFICER: [
        "regulations.classify_system",
        "regulations.override_classification",
        "regulations.complete_deadline",
        "regulations.add_deadline",
        "regulations.add_substantialmodification",
    ],
    Role.PROCUREMENT: [],
    Role.AUDITOR: [],
}
