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
