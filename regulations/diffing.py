"""Differences between two content versions of a regime, item by item (matched on their ids)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from regulations.models import ContentVersion

SECTIONS = [
    ("rules", "Rules"),
    ("obligations", "Obligations"),
    ("deadlines", "Deadlines"),
    ("templates", "Assessment templates"),
    ("vendor_checklist", "Vendor checklist"),
]
HEADLINE = ["status", "effective_from", "effective_to", "superseded_by", "litigation_status",
            "preemption_notes"]  # fmt: skip


@dataclass
class ItemChange:
    key: str
    fields: list[tuple[str, Any, Any]]  # (field, old, new)


@dataclass
class SectionDiff:
    name: str
    title: str
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _key(item: dict, index: int) -> str:
    return str(item.get("id") or item.get("key") or f"#{index}")


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)


def version_diff(
    old: ContentVersion, new: ContentVersion
) -> tuple[list[tuple[str, str, str]], list[SectionDiff]]:
    """Headline field changes plus, per section, items added, removed and changed (field by field)."""
    headline = [
        (name, _show(old.data.get(name)), _show(new.data.get(name)))
        for name in HEADLINE
        if old.data.get(name) != new.data.get(name)
    ]
    sections = []
    for name, title in SECTIONS:
        before = {_key(item, i): item for i, item in enumerate(old.data.get(name) or [])}
        after = {_key(item, i): item for i, item in enumerate(new.data.get(name) or [])}
        section = SectionDiff(name=name, title=title)
        for key, item in after.items():
            if key not in before:
                section.added.append(item)
            elif before[key] != item:
                keys = sorted(set(before[key]) | set(item))
                section.changed.append(
                    ItemChange(
                        key=key,
                        fields=[
                            (k, _show(before[key].get(k)), _show(item.get(k)))
                            for k in keys
                            if before[key].get(k) != item.get(k)
                        ],  # fmt: skip
                    )
                )
            else:
                section.unchanged += 1
        section.removed = [item for key, item in before.items() if key not in after]
        sections.append(section)
    return headline, sections
