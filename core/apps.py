from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"
    # Extension points (core.extensions).
    roles = "core.roles.PERMISSIONS"
    seed_demo = "core.demo.seed"

    def ready(self) -> None:
        import core.access  # noqa: F401 - connects the account-expiry signal receivers
        import core.checks  # noqa: F401 - registers the deploy hygiene checks
        import core.sso.config  # noqa: F401 - registers the single sign-on settings check
        import core.tokens  # noqa: F401 - revokes API tokens on password change or deactivation
        from core.roles import sync_roles

        post_migrate.connect(sync_roles, dispatch_uid="core.sync_roles")
