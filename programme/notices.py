"""Notices the regimes require, filled from the inventory: which a system needs (its current
classification triggered one of the notice's obligations) and the filled text as Markdown, HTML
or PDF. The words and the law come from programme/content/notices; only the filling is code."""

import string
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt

from inventory import vocab
from inventory.models import AISystem
from programme.models import ContentVersion, NoticeTemplate
from programme.selectors import short_id
from regulations.selectors import classification_current, organisation_get

FIELDS = {
    "organisation": "the organisation's name (Organisation profile)",
    "system": "the system's name",
    "purpose": "the system's description",
    "vendor": "the vendor, or 'built in-house'",
    "decision_role": "the system's role in decisions",
    "domains": "the decision areas",
    "data_categories": "the personal-data categories it processes",
    "human_review": "whether a person reviews outputs before they take effect",
    "contact": "the system owner's e-mail",
    "team": "the owning team",
}


def placeholders(body: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(body) if name}


def placeholders_unknown(body: str) -> set[str]:
    return placeholders(body) - set(FIELDS)


def _labels(values, choices) -> str:
    names = dict(choices.choices)
    return ", ".join(str(names.get(v, v)) for v in values)


def _missing(field: str) -> str:
    return f"[not recorded: {FIELDS[field]}]"


def notice_facts(system: AISystem) -> dict[str, str]:
    """Each placeholder's text; a fact the inventory lacks says so, so nobody sends a blank."""
    org = organisation_get()
    owner = system.owner
    facts = {
        "organisation": org.name if org else "",
        "system": system.name,
        "purpose": system.description.strip(),
        "vendor": system.vendor.name if system.vendor_id else "built in-house",
        "decision_role": vocab.DecisionRole(system.decision_role).label
        if system.decision_role in vocab.DecisionRole.values
        else "",
        "domains": _labels(system.domains, vocab.Domain),
        "data_categories": _labels(system.data_categories, vocab.DataCategory),
        "human_review": "A person reviews its output before a decision takes effect."
        if system.human_review
        else "No person reviews its output before a decision takes effect.",
        "contact": (owner.email or owner.get_username()) if owner else "",
        "team": system.team,
    }
    return {k: v or _missing(k) for k, v in facts.items()}


def notice_templates() -> list[NoticeTemplate]:
    content = ContentVersion.objects.filter(kind="notices").order_by("-version", "-pk").first()
    return list(NoticeTemplate.objects.filter(content=content)) if content else []


@dataclass
class Notice:
    template: NoticeTemplate
    obligations: list[str]
    version: str

    @property
    def slug(self) -> str:
        return self.template.code


def notices_for_system(system: AISystem) -> list[Notice]:
    """The notices whose obligations the system's current result for that regime triggered."""
    current = classification_current(system)
    found = []
    for template in notice_templates():
        result = current.get(template.regime)
        if result is None or not result.applies:
            continue
        triggered = {short_id(key) for key in result.triggered_obligations}
        hit = [o for o in template.obligations if o in triggered]
        if hit:
            found.append(Notice(template, hit, result.content_version.version))
    return found


def notice_markdown(*, notice: Notice, system: AISystem) -> str:
    t = notice.template
    body = t.body.format_map(notice_facts(system)).strip()
    return (
        f"# {t.title}\n\n{body}\n\n---\n\n"
        f"*{t.get_kind_display()} for {system.name}. Required by {t.citation} "
        f"(obligation {', '.join(notice.obligations)}, {t.regime.upper()} content "
        f"{notice.version}); notice template {t.code}, {t.content.kind} {t.content.version}.*\n"
    )


_MD = MarkdownIt("commonmark", {"html": False})


def notice_html_fragment(markdown: str, *, top: int = 1) -> str:
    """Sanitised HTML; `top` is the level the notice's title takes (2 inside a page)."""
    html = _MD.render(markdown)
    if top > 1:
        html = html.replace("<h1>", f"<h{top}>").replace("</h1>", f"</h{top}>")
    return nh3.clean(html)


def notice_html_document(*, title: str, markdown: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{nh3.clean_text(title)}</title>"
        "<style>body{font:16px/1.5 sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}"
        "em{color:#555}</style></head><body>\n"
        f"{notice_html_fragment(markdown)}</body></html>\n"
    )


def notice_pdf(*, title: str, markdown: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=notice_html_document(title=title, markdown=markdown)).write_pdf()
