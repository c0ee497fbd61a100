from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence packs"
    # Extension points (core.extensions).
    roles = "evidence.roles.PERMISSIONS"
    seed_demo = "evidence.demo.seed"
    jobs = "evidence.jobs.WATCHES"
