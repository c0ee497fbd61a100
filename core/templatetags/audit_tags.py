from django import template
from django.utils.safestring import SafeString

from core.audit_display import changes_html

register = template.Library()


@register.filter
def audit_changes(entry) -> SafeString:
    """An entry's changes, drawn for whatever shape its writer stored."""
    return changes_html(entry.action, entry.changes)
