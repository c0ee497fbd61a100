from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"
    # Extension points (core.extensions).
    roles = "assessments.roles.PERMISSIONS"
    seed_demo = "assessments.demo.seed"
    inbox = "assessments.inbox.SECTIONS"
    system_panel = "assessments.panels.system_panel"
    vendor_panel = "assessments.panels.vendor_panel"
    last_approval = "assessments.selectors.system_last_approval"
