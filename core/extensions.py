"""Extension points: an app declares hooks on its AppConfig, so core never imports a later app.

An app's `AppConfig` may set any of these attributes, each a dotted path or the object itself:

- `roles`: a mapping role -> ["app_label.codename", ...] merged into the role groups;
- `seed_demo`: `seed(*, stdout) -> None`, run by `manage.py seed_demo` in INSTALLED_APPS order;
- `system_panel`: `system_panel(*, request, system) -> dict | None`, drawn on the system page
  with the app's `<label>/partials/system_panel.html`;
- `vendor_panel`: `vendor_panel(*, request, vendor) -> dict | None`, drawn on the vendor page
  with the app's `<label>/partials/vendor_panel.html`;
- `assessment_panel`: `assessment_panel(*, request, assessment) -> dict | None`, drawn on the
  assessment page with the app's `<label>/partials/assessment_panel.html`;
- `obligation_evidence`: `(*, obligations: list[tuple[str, str]]) -> dict`, (regime code,
  obligation id) -> `{"title", "text", "url"}`: a later app's record that evidences an obligation,
  shown beside it on the regime content page and beside organisation-wide deadlines;
- `content_loaders`: a list of `load(*, check, stdout) -> None`, run by `manage.py load_content`;
- `last_approval`: `(*, system) -> datetime | None`, when an assessment of the system was last
  approved; regulations anchors recurring reviews on the latest;
- `inbox`: a list of `core.inbox.InboxSection`s, the app's part of each user's work inbox;
- `jobs`: a list of `core.jobs.JobWatch`es, the app's background jobs the watchdog looks after;
- `pack_sections`: a list of `(*, scope) -> dict | None`, an app's own section of an evidence pack
  (keys `key`, `anchor`, `title`, `template`, `context` and `files`: ZIP name -> bytes).
"""

from typing import Any, NamedTuple

from django.apps import AppConfig, apps
from django.contrib.auth.context_processors import PermWrapper
from django.template.loader import render_to_string
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe

EXTENSION_POINTS = (
    "roles",
    "seed_demo",
    "system_panel",
    "vendor_panel",
    "assessment_panel",
    "obligation_evidence",
    "content_loaders",
    "last_approval",
    "inbox",
    "jobs",
    "pack_sections",
)


class Hook(NamedTuple):
    app: AppConfig
    target: Any


def app_hooks(name: str) -> list[Hook]:
    """Every installed app's `name` hook in INSTALLED_APPS order; a wrong path fails loudly."""
    if name not in EXTENSION_POINTS:
        raise ValueError(f"Unknown extension point {name!r}; known: {', '.join(EXTENSION_POINTS)}.")
    hooks = []
    for config in apps.get_app_configs():
        declared = getattr(config, name, None)
        if declared is None:
            continue
        for item in declared if isinstance(declared, list | tuple) else [declared]:
            hooks.append(Hook(config, import_string(item) if isinstance(item, str) else item))
    return hooks


def panels_render(name: str, *, request, **subject) -> list[str]:
    """The HTML of every app's `name` panel (system_panel, vendor_panel, assessment_panel): the
    hook's data for `subject` (e.g. system=...) drawn with the app's `<label>/partials/<name>.html`;
    an app whose hook returns None draws nothing."""
    panels = []
    for hook in app_hooks(name):
        data = hook.target(request=request, **subject)
        if data is None:
            continue
        context = {
            **data,
            **subject,
            "request": request,
            "user": request.user,
            "perms": PermWrapper(request.user),
        }
        template = f"{hook.app.label}/partials/{name}.html"
        panels.append(mark_safe(render_to_string(template, context, request=request)))
    return panels
