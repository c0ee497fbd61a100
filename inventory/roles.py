from core.roles import Role

PERMISSIONS = {
    Role.COMPLIANCE_OFFICER: [
        "inventory.add_aisystem",
        "inventory.change_aisystem",
        "inventory.delete_aisystem",
        "inventory.add_vendor",
        "inventory.change_vendor",
    ],
    Role.PROCUREMENT: [
        "inventory.add_vendor",
        "inventory.change_vendor",
        "inventory.delete_vendor",
    ],
}
