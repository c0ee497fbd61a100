"""Small display helpers for discovery templates."""

from django import template

from discovery.selectors import app_status_label

register = template.Library()

SEVERITY_CLASS = {"critical": "bad", "high": "bad", "medium": "warn", "low": "", "info": ""}
STATUS_CLASS = {
    "sanctioned": "ok", "blocked": "bad", "unsanctioned": "bad", "under_review": "warn",
    "unreviewed": "warn", "open": "warn", "assigned": "warn", "dismissed": "", "done": "ok",
    "failed": "bad", "running": "warn", "queued": "",
}  # fmt: skip


@register.filter
def severity_class(value: str) -> str:
    return SEVERITY_CLASS.get(str(value), "")


@register.filter
def status_class(value: str) -> str:
    return STATUS_CLASS.get(str(value), "")


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
