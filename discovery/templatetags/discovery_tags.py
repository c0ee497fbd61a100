"""Small display helpers for discovery templates."""

from django import template
from django.template.defaultfilters import filesizeformat

from discovery.selectors import app_status_label

register = template.Library()

SEVERITY_CLASS = {"critical": "bad", "high": "bad", "medium": "warn", "low": "", "info": ""}
STATUS_CLASS = {
    "sanctioned": "ok", "blocked": "bad", "unsanctioned": "bad", "under_review": "warn",
    "unreviewed": "warn", "open": "warn", "assigned": "warn", "dismissed": "", "done": "ok",
    "failed": "bad", "running": "warn", "queued": "", "needs_attention": "bad", "refused": "bad",
    "duplicate": "",
}  # fmt: skip


@register.filter
def severity_class(value: str) -> str:
    return SEVERITY_CLASS.get(str(value), "")


@register.filter
def status_class(value: str) -> str:
    return STATUS_CLASS.get(str(value), "")


RISK_CLASS = {"high": "bad", "medium": "warn", "low": "ok"}


@register.filter
def risk_class(level: str) -> str:
    return RISK_CLASS.get(str(level), "")


@register.filter
def status_label(value: str) -> str:
    return app_status_label(str(value))


CATEGORY_LABEL = {"llm_api": "LLM API", "ai_search": "AI search", "video_avatar": "Video / avatar",
                  "voice_music": "Voice / music"}  # fmt: skip


@register.filter
def category_label(value: str) -> str:
    value = str(value or "")
    return CATEGORY_LABEL.get(value, value.replace("_", " ").capitalize())


@register.filter
def risk_value(value) -> str:
    """Catalogue risk facts: None means no public source yet, shown as an em dash."""
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@register.filter
def subject_of(finding) -> str:
    return finding.app_key or (f"host:{finding.host}" if finding.host else "")


@register.filter
def volume(value) -> str:
    """A byte total, or "unknown" when the log carried no sizes (DNS, CONNECT-only lines):
    a total of zero bytes over real traffic means the size was not logged, not that none moved."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return "unknown"
    return filesizeformat(n) if n > 0 else "unknown"


@register.filter
def attack_path(technique: str) -> str:
    """T1078.004 → T1078/004, the path of the technique's page on attack.mitre.org."""
    return str(technique).replace(".", "/")
