from django import template
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.sso.config import sso_config

register = template.Library()


@register.simple_tag
def sso_login_options() -> dict:
    """What the login page offers: the provider's button, and whether passwords are for everyone."""
    try:
        config = sso_config()
    except ImproperlyConfigured:  # `manage.py check` names the mistake; the page still renders
        config = None
    return {
        "enabled": config is not None,
        "provider_name": config.provider_name if config else "",
        "local_login": getattr(settings, "SIGHTLINE_LOCAL_LOGIN", True),
    }
