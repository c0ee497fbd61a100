"""Differences between two content versions of a regime, item by item (matched on their ids)."""

from __future__ import annotations

import json
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
    """Ids are `<regime>.<version>.<kind>.<slug>`: match items across versions on `<kind>.<slug>`."""
    raw = str(item.get("id") or item.get("key") or f"#{index}")
    parts = raw.split(".")
    return ".".join(parts[2:]) if len(parts) >= 4 else raw


def _rebase(items: list, *, regime: str, old: str, new: str) -> list:
    """The old version's items with its id prefix rewritten to the new one, so equal content compares equal."""
    text = json.dumps(items, ensure_ascii=False)
    return json.loads(text.replace(f'"{regime}.{old}.', f'"{regime}.{new}.'))


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
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
        rebased = _rebase(
            old.data.get(name) or [], regime=old.regime.code, old=old.version, new=new.version
        )
        originals = {_key(item, i): item for i, item in enumerate(old.data.get(name) or [])}
        before = {_key(item, i): item for i, item in enumerate(rebased)}
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
                        ],
                    )
                )
            else:
                section.unchanged += 1
        section.removed = [originals[key] for key in before if key not in after]
        sections.append(section)
    return headline, sections
