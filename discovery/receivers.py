"""Discovery's reactions to other apps' changes."""

from discovery.models import ModelUsageDay
from discovery.services.usage import model_usage_systems_refresh


def on_system_changed(sender, system, actor=None, created=False, **kwargs) -> None:
    """Gateway usage follows the inventory: a new alias, a sanctioned app or a retired system
    re-links the usage rows already ingested (sent on commit, after the change is stored)."""
    if ModelUsageDay.objects.exists():
        model_usage_systems_refresh(system=system)
