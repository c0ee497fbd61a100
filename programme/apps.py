from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = "Governance programme"
    # Extension points (core.extensions).
    roles = "programme.roles.PERMISSIONS"
    seed_demo = "programme.demo.seed"
    inbox = "programme.inbox.SECTIONS"
    system_panel = "programme.panels.system_panel"
    assessment_panel = "programme.links.assessment_panel"
    obligation_evidence = ("programme.panels.obligation_evidence",)
    content_loaders = ("programme.content_loader.load_programme_content",)
    pack_sections = ("programme.pack.pack_section",)
