from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = "Inventory"
    # Extension points (core.extensions).
    roles = "inventory.roles.PERMISSIONS"
    seed_demo = "inventory.demo.seed"
    inbox = "inventory.inbox.SECTIONS"
