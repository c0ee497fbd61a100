"""LLMjacking constants (named after reference 4.2 rule ids), the Detection type and helpers.

Pure: no Django. Thresholds are module constants named after the reference rule ids;
"(proposed)" values in the reference are Sightline choices, not published rules.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..parsers.records import INVOKE_EVENTS, CloudEvent

MIN = 60.0
HOUR = 3600.0
DAY = 86400.0

DENIED = frozenset({"AccessDenied", "AccessDeniedException"})
# Prowler's 14 LLMjacking event names (the stars in reference 4.1), used by L9.
PROWLER_NAMES = frozenset(
    {
        "InvokeModel",
        "InvokeModelWithResponseStream",
        "ListFoundationModels",
        "GetFoundationModelAvailability",
        "GetModelInvocationLoggingConfiguration",
        "PutModelInvocationLoggingConfiguration",
        "PutUseCaseForModelAccess",
        "GetUseCaseForModelAccess",
        "CreateFoundationModelAgreement",
        "ListFoundationModelAgreementOffers",
        "PutFoundationModelEntitlement",
        "ListProvisionedModelThroughputs",
        "SearchAgreements",
        "AcceptAgreementRequest",
    }
)
ENABLEMENT = frozenset(
    {
        "PutUseCaseForModelAccess",
        "CreateFoundationModelAgreement",
        "PutFoundationModelEntitlement",
        "ListFoundationModelAgreementOffers",
    }
)
RECON = frozenset({"ListFoundationModels", "GetFoundationModelAvailability"})

L1_WINDOW = 15 * MIN
L1_MIN_REGIONS = 2  # (proposed)
L1_MAX_PER_MINUTE = 3  # Elastic: >3/min per user
L2_PER_USER_MODEL = 3  # Elastic: >3 per user+model raises severity
L3_THRESHOLD = 9  # Splunk: >9 per user+src
L3_WINDOW = DAY
L4_WINDOW = 15 * MIN
L4_MIN_REGIONS = 3  # (proposed)
L5_WINDOW = 15 * MIN
L6_INVOKE_WINDOW = 60 * MIN  # (proposed)
L9_WINDOW = 1440 * MIN
L9_RATIO = 0.4
L10_WINDOW = 10 * MIN  # (proposed)
L12_P99_FACTOR = 3  # (proposed)
L12_MIN_PER_HOUR = 50  # (proposed)
NEW_PRINCIPAL_DAYS = 30
SAMPLE_EVENTS = 10
QUARANTINE_POLICY = "AWSCompromisedKeyQuarantine"

SEVERITIES = ("low", "medium", "high", "critical")


@dataclass(slots=True)
class Detection:
    """One rule hit with its evidence."""

    rule_id: str
    name: str
    severity: str
    principal: str
    source_ip: str
    regions: list[str]
    first_ts: datetime
    last_ts: datetime
    event_ids: list[str]
    sample_events: list[dict]
    summary: str
    ips: list[str] = field(default_factory=list)
    access_key_id: str = ""


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def _make(rule: str, name: str, sev: str, principal: str, evs: list[CloudEvent], summary: str):
    evs = sorted(evs, key=lambda e: e.ts)
    ips = sorted({e.source_ip for e in evs if e.source_ip})
    return Detection(
        rule_id=rule,
        name=name,
        severity=sev,
        principal=principal,
        source_ip=ips[0] if len(ips) == 1 else ", ".join(ips[:5]),
        regions=sorted({e.region for e in evs if e.region}),
        first_ts=_dt(evs[0].ts),
        last_ts=_dt(evs[-1].ts),
        event_ids=[e.event_id for e in evs],
        sample_events=[e.as_dict() for e in evs[:SAMPLE_EVENTS]],
        summary=summary,
        ips=ips,
        access_key_id=next((e.access_key_id for e in evs if e.access_key_id), ""),
    )


def _clusters(evs: list[CloudEvent], gap: float) -> list[list[CloudEvent]]:
    """Split time-sorted events where consecutive events are more than ``gap`` apart."""
    out: list[list[CloudEvent]] = []
    for e in evs:
        if out and e.ts - out[-1][-1].ts <= gap:
            out[-1].append(e)
        else:
            out.append([e])
    return out


def _max_in_window(evs: list[CloudEvent], window: float, key) -> int:
    """Largest number of distinct key(e) values among events inside any ``window`` span."""
    best, lo = 0, 0
    counts: dict = defaultdict(int)
    for _hi, e in enumerate(evs):
        counts[key(e)] += 1
        while e.ts - evs[lo].ts > window:
            k = key(evs[lo])
            counts[k] -= 1
            if not counts[k]:
                del counts[k]
            lo += 1
        best = max(best, len(counts))
    return best


def _role_names(ev: CloudEvent) -> set[str]:
    names = {ev.principal, ev.arn, ev.access_key_id}
    if ":assumed-role/" in ev.arn:
        acct_part, _, rest = ev.arn.partition(":assumed-role/")
        role = rest.split("/", 1)[0]
        acct = acct_part.rsplit(":", 1)[-1]
        names |= {role, f"arn:aws:iam::{acct}:role/{role}"}
    elif ":user/" in ev.arn:
        names.add(ev.arn.rsplit("/", 1)[-1])
    return {n for n in names if n}


def _first_success(evs: list[CloudEvent], hist: dict) -> dict[str, float | None]:
    """Per principal: time of the first successful invocation (None = one in the history)."""
    seen = set(hist.get("principals_seen") or ())
    first: dict[str, float | None] = dict.fromkeys(seen)
    for e in evs:
        if e.event_name in INVOKE_EVENTS and not e.error_code and e.principal not in first:
            first[e.principal] = e.ts
    return first


def _is_new(principal: str, ts: float, prior: dict[str, float | None]) -> bool:
    """New = no successful Bedrock call before ``ts`` (history or earlier in this batch)."""
    if principal not in prior:
        return True
    t = prior[principal]
    return t is not None and t >= ts
