from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "discovery"
    verbose_name = "Discovery"
    # Extension points (core.extensions).
    roles = "discovery.roles.PERMISSIONS"
    seed_demo = "discovery.demo.seed"
    inbox = "discovery.inbox.SECTIONS"
    system_panel = "discovery.panels.system_panel"
    content_loaders = ("discovery.catalog_loader.load_catalog",)
    jobs = "discovery.jobs.WATCHES"
    pack_sections = ("discovery.pack.pack_section",)

    def ready(self) -> None:
        from discovery.receivers import on_system_changed
        from inventory.signals import system_changed

        system_changed.connect(on_system_changed, dispatch_uid="discovery.usage_follows_inventory")
