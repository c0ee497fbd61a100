from django.apps import AppConfig


class RegulationsConfig(AppConfig):
    name = "regulations"
    verbose_name = "Regulations"

    def ready(self) -> None:
        from inventory.signals import system_changed
        from regulations.receivers import on_system_changed

        system_changed.connect(on_system_changed, dispatch_uid="regulations.classify_on_change")
