"""One summary per (sub-detection, principal): the totals a finding shows, over every episode.

Pure: no Django. Totals are counted over distinct events, so an event that two episodes share
(an invocation after a logging check and in a spike) is counted once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ..parsers.records import CloudEvent
from .core import SAMPLE_EVENTS, SEVERITIES, Detection

MAX_REASONS = 20
MAX_EVENT_IDS = 100
MAX_LISTED = 20


@dataclass(slots=True)
class FindingSummary:
    """What one LLMjacking finding says: cumulative over all the principal's stored events."""

    key: str
    rule_id: str
    name: str
    principal: str
    severity: str
    first_ts: datetime
    last_ts: datetime
    events: int
    episodes: int
    techniques: list[str]
    reasons: list[str]
    regions: list[str]
    model_ids: list[str]
    source_ips: list[str]
    user_agents: list[str]
    access_key_ids: list[str]
    event_names: dict[str, int]
    event_ids: list[str]
    sample_events: list[dict] = field(default_factory=list)
    learning: bool = False
    baseline: bool = False

    @property
    def dedupe_key(self) -> str:
        return f"llmjacking:{self.key}:{self.principal}"

    @property
    def title(self) -> str:
        """Current totals, never the count at creation: the title is rebuilt from the summary."""
        span = f"{self.first_ts:%Y-%m-%d %H:%M}"
        if self.last_ts != self.first_ts:
            span += f" → {self.last_ts:%Y-%m-%d %H:%M}"
        parts = [f"{self.events} event{'s' if self.events != 1 else ''}"]
        if len(self.regions) > 1:
            parts.append(f"{len(self.regions)} regions")
        if self.model_ids:
            parts.append(f"{len(self.model_ids)} model{'s' if len(self.model_ids) != 1 else ''}")
        head = f"{self.name} [{self.key} · {', '.join(self.techniques)}]"
        who = self.principal or "unknown principal"
        return f"{head}: {who} ({', '.join(parts)}, {span} UTC)"

    def evidence(self) -> dict:
        """JSON evidence: everything an analyst needs without opening the raw events."""
        return {
            "rule_id": self.rule_id,
            "sub_rule": self.key,
            "rule": self.name,
            "techniques": self.techniques,
            "summary": self.reasons[0] if self.reasons else "",
            "reasons": self.reasons,
            "events_total": self.events,
            "episodes": self.episodes,
            "first_seen": self.first_ts.isoformat(),
            "last_seen": self.last_ts.isoformat(),
            "regions": self.regions,
            "model_ids": self.model_ids,
            "source_ips": self.source_ips,
            "user_agents": self.user_agents,
            "access_key_ids": self.access_key_ids,
            "event_names": self.event_names,
            "event_ids": self.event_ids,
            "sample_events": self.sample_events,
            "learning_period": self.learning,
            "baseline_principal": self.baseline,
        }


def _sample(e: CloudEvent) -> dict:
    """The event as evidence, without the file offset it was read at: the same event delivered
    in two files is one event, whichever file came first."""
    d = e.as_dict()
    d.pop("raw_ref", None)
    return d


def _listed(values: Iterable[str]) -> list[str]:
    return sorted({v for v in values if v})[:MAX_LISTED]


def summarise(
    detections: Iterable[Detection], events: Mapping[str, CloudEvent]
) -> list[FindingSummary]:
    """Groups detections by (sub-detection, principal); ``events`` maps event ids to events."""
    groups: dict[tuple[str, str], list[Detection]] = defaultdict(list)
    for d in detections:
        groups[(d.key, d.principal)].append(d)
    out = []
    for (key, principal), dets in sorted(groups.items()):
        dets.sort(key=lambda d: (d.first_ts, d.event_ids[:1]))
        ids = {i for d in dets for i in d.event_ids}
        evs = sorted((events[i] for i in ids if i in events), key=lambda e: (e.ts, e.event_id))
        names: dict[str, int] = defaultdict(int)
        for e in evs:
            names[e.event_name] += 1
        reasons: list[str] = []
        for d in dets:
            if d.summary not in reasons:
                reasons.append(d.summary)
        if len(reasons) > MAX_REASONS:
            reasons = [*reasons[:MAX_REASONS], f"… and {len(reasons) - MAX_REASONS} more"]
        techniques: list[str] = []
        for d in dets:
            techniques += [t for t in d.techniques if t not in techniques]
        severity = max((d.severity for d in dets), key=SEVERITIES.index)
        first = min(d.first_ts for d in dets)
        last = max(d.last_ts for d in dets)
        out.append(
            FindingSummary(
                key=key,
                rule_id=dets[0].rule_id,
                name=dets[0].name,
                principal=principal,
                severity=severity,
                first_ts=first,
                last_ts=last,
                events=len(ids),
                episodes=len(dets),
                techniques=techniques,
                reasons=reasons,
                regions=_listed(e.region for e in evs)
                or _listed(r for d in dets for r in d.regions),
                model_ids=_listed(e.model_id for e in evs),
                source_ips=_listed(e.source_ip for e in evs)
                or _listed(i for d in dets for i in d.ips),
                user_agents=_listed(e.user_agent for e in evs),
                access_key_ids=_listed(e.access_key_id for e in evs),
                event_names=dict(sorted(names.items())),
                event_ids=[e.event_id for e in evs][:MAX_EVENT_IDS] or sorted(ids)[:MAX_EVENT_IDS],
                sample_events=[_sample(e) for e in evs[:SAMPLE_EVENTS]],
                learning=all(d.learning for d in dets),
                baseline=any(d.baseline for d in dets),
            )
        )
    return out
