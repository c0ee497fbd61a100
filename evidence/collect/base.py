"""The pack's data model: plain dataclasses, so the PDF, the CSVs and the JSON all read the same facts."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from inventory.models import AISystem


@dataclass(frozen=True)
class Scope:
    """What the user asked for: regime code or '' for all; system ids or None for all; inclusive dates."""

    regime: str
    system_ids: tuple[int, ...] | None
    period_from: dt.date
    period_to: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.period_from, dt.time.min, tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """Exclusive upper bound: midnight after the last day."""
        return dt.datetime.combine(
            self.period_to + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC
        )


@dataclass
class EvidenceRef:
    """One evidence file as the pack lists it; `missing` when its blob cannot be read."""

    pk: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: dt.datetime | None
    effective_date: dt.date | None
    expiry_date: dt.date | None
    vendor: str
    system: str
    item: str
    version: str = ""
    superseded: bool = False
    review_status: str = ""
    zip_path: str = ""
    missing: bool = False
    problem: str = ""

    as_of: dt.date | None = None  # the pack's last day, for "expired"

    @property
    def verdict(self) -> str:
        """The file's standing at the end of the pack's period, in the evidence page's words:
        accepted, rejected, expired, under review, provided (not reviewed yet) or superseded."""
        if self.superseded:
            return "Superseded"
        if self.expiry_date and self.as_of and self.expiry_date < self.as_of:
            return "Expired"
        return self.review_status or "Not reviewed"


@dataclass
class SystemSection:
    system: AISystem
    anchor: str
    classifications: list[dict[str, Any]] = field(default_factory=list)
    obligations: list[dict[str, Any]] = field(default_factory=list)
    deadlines_unlinked: list[dict[str, Any]] = field(default_factory=list)
    assessments: list[dict[str, Any]] = field(default_factory=list)
    checklist: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[EvidenceRef] = field(default_factory=list)

    @property
    def owner_label(self) -> str:
        owner = self.system.owner
        return (owner.get_full_name() or owner.get_username()) if owner else "—"


@dataclass
class PackData:
    scope: Scope
    generated_at: dt.datetime
    organisation: dict[str, Any]
    regimes: list[dict[str, Any]]
    content_versions: list[dict[str, Any]]
    systems: list[SystemSection]
    notes: dict[str, str] = field(default_factory=dict)
    discovery: dict[str, Any] = field(default_factory=dict)
    audit: dict[str, Any] = field(default_factory=dict)
    evidence: list[EvidenceRef] = field(default_factory=list)
    related_targets: dict[str, set[str]] = field(default_factory=dict)
    # Sections later apps contribute through AppConfig.pack_sections (core.extensions).
    extra_sections: list[dict[str, Any]] = field(default_factory=list)

    @property
    def missing_evidence(self) -> list[EvidenceRef]:
        return [e for e in self.evidence if e.missing]

    def add_targets(self, label: str, ids) -> None:
        self.related_targets.setdefault(label, set()).update(str(i) for i in ids)
