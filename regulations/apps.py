from django.apps import AppConfig


class RegulationsConfig(AppConfig):
    name = "regulations"
    verbose_name = "Regulations"
    # Extension points (core.extensions).
    roles = "regulations.roles.PERMISSIONS"
    seed_demo = "regulations.demo.seed"
    inbox = "regulations.inbox.SECTIONS"
    system_panel = "regulations.panels.system_panel"
    pack_sections = ("regulations.pack.pack_section",)

    def ready(self) -> None:
        from inventory.signals import system_changed
        from regulations.receivers import on_assessment_approved, on_system_changed
        from regulations.signals import assessment_approved

        system_changed.connect(on_system_changed, dispatch_uid="regulations.classify_on_change")
        assessment_approved.connect(
            on_assessment_approved, dispatch_uid="regulations.reassessment_on_approval"
        )
