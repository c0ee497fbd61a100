from django.apps import AppConfig


class RegulationsConfig(AppConfig):
    name = "regulations"
    verbose_name = "Regulations"
    # Extension points (core.extensions).
    roles = "regulations.roles.PERMISSIONS"
    seed_demo = "regulations.demo.seed"
    system_panel = "regulations.panels.system_panel"

    def ready(self) -> None:
        from inventory.signals import system_changed
        from regulations.receivers import on_system_changed

        system_changed.connect(on_system_changed, dispatch_uid="regulations.classify_on_change")
