"""LLMjacking constants (named after reference 4.2 rule ids), the Detection type and helpers.

Pure: no Django. Thresholds are module constants named after the reference rule ids;
"(proposed)" values in the reference are Sightline choices, not published rules.
"""

from __future__ import annotations

from bisect import bisect_left
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
NEW_WINDOW = NEW_PRINCIPAL_DAYS * DAY
SPIKE_BASELINE = 14 * DAY
BASELINE_MIN_DAYS = 2  # (proposed) "steady use": successful calls on this many UTC days
SAMPLE_EVENTS = 10
QUARANTINE_POLICY = "AWSCompromisedKeyQuarantine"

SEVERITIES = ("info", "low", "medium", "high", "critical")

# MITRE ATT&CK (Enterprise, cloud) techniques per sub-detection, shown on every finding.
T_VALID_CLOUD = "T1078.004"  # Valid Accounts: Cloud Accounts
T_HIJACK = "T1496"  # Resource Hijacking (AWS Threat Technique Catalog T1496.A007 for Bedrock)
T_SERVICE_DISCOVERY = "T1526"  # Cloud Service Discovery
T_UNUSED_REGIONS = "T1535"  # Unused/Unsupported Cloud Regions
T_CLOUD_LOGS = "T1562.008"  # Impair Defenses: Disable or Modify Cloud Logs
T_OWNER_DISCOVERY = "T1033"  # System Owner/User Discovery (sts GetCallerIdentity)
T_EXTRA_CREDS = "T1098.001"  # Account Manipulation: Additional Cloud Credentials
T_CLOUD_ACCOUNT = "T1136.003"  # Create Account: Cloud Account
TECHNIQUES: dict[str, tuple[str, ...]] = {
    "L1": (T_VALID_CLOUD, T_SERVICE_DISCOVERY, T_HIJACK),
    "L2": (T_VALID_CLOUD, T_HIJACK),
    "L3": (T_SERVICE_DISCOVERY,),
    "L4": (T_SERVICE_DISCOVERY, T_UNUSED_REGIONS),
    "L5": (T_SERVICE_DISCOVERY, T_VALID_CLOUD, T_HIJACK),
    "L6": (T_SERVICE_DISCOVERY,),
    "L7.delete": (T_CLOUD_LOGS,),
    "L7.change": (T_CLOUD_LOGS,),
    "L8": (T_HIJACK, T_VALID_CLOUD),
    "L9": (T_SERVICE_DISCOVERY, T_HIJACK),
    "L10": (T_OWNER_DISCOVERY, T_VALID_CLOUD),
    "L11.credential": (T_EXTRA_CREDS,),
    "L11.user": (T_CLOUD_ACCOUNT,),
    "L11.access_key": (T_EXTRA_CREDS,),
    "L11.bearer": (T_VALID_CLOUD, T_HIJACK),
    "L12.first_use": (T_VALID_CLOUD, T_HIJACK),
    "L12.spike": (T_HIJACK,),
    "L12.new_model": (T_HIJACK,),
    "L13.root": (T_VALID_CLOUD,),
    "L13.quarantine": (T_VALID_CLOUD, T_HIJACK),
}
# First-use style sub-detections: during the learning period they record a baseline and raise
# at most info. Recon sequences (L1, L4, L5, L9), logging checks (L6, L7), model enablement
# (L8), key creation (L11) and root/quarantine (L13) alert at once.
LEARNING_CAPPED = frozenset(
    {"L2", "L3", "L10", "L11.bearer", "L12.first_use", "L12.spike", "L12.new_model"}
)
# For a baseline principal (steady use during the learning period) these stay at info or low.
BASELINE_CAP = {"L12.first_use": "info", "L10": "info", "L12.new_model": "low", "L11.bearer": "low"}


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
    sub_id: str = ""
    techniques: list[str] = field(default_factory=list)
    model_ids: list[str] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    event_names: dict[str, int] = field(default_factory=dict)
    learning: bool = False
    baseline: bool = False

    @property
    def key(self) -> str:
        """The sub-detection id: one finding per (key, principal), never shared by two rules."""
        return self.sub_id or self.rule_id


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def _make(
    rule: str,
    name: str,
    sev: str,
    principal: str,
    evs: list[CloudEvent],
    summary: str,
    sub: str = "",
):
    evs = sorted({e.event_id or id(e): e for e in evs}.values(), key=lambda e: (e.ts, e.event_id))
    ips = sorted({e.source_ip for e in evs if e.source_ip})
    names: dict[str, int] = defaultdict(int)
    for e in evs:
        names[e.event_name] += 1
    sub = sub or rule
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
        sub_id=sub,
        techniques=list(TECHNIQUES.get(sub, TECHNIQUES.get(rule, ()))),
        model_ids=sorted({e.model_id for e in evs if e.model_id}),
        user_agents=sorted({e.user_agent for e in evs if e.user_agent}),
        event_names=dict(sorted(names.items())),
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


def _first_success(evs: list[CloudEvent], hist: dict) -> dict[str, list[float] | None]:
    """Per principal: the event times of its successful invocations, sorted (None = the history
    says it had one in the 30 days before these events)."""
    seen = set(hist.get("principals_seen") or ())
    out: dict[str, list[float] | None] = dict.fromkeys(seen)
    for e in evs:
        if e.event_name in INVOKE_EVENTS and not e.error_code and e.principal not in seen:
            lst = out.setdefault(e.principal, [])
            if lst is not None:
                lst.append(e.ts)
    for lst in out.values():
        if lst:
            lst.sort()
    return out


def _is_new(principal: str, ts: float, prior: dict[str, list[float] | None]) -> bool:
    """New = no successful Bedrock call in the 30 days of event time before ``ts``."""
    if principal not in prior:
        return True
    times = prior[principal]
    if times is None:
        return False
    i = bisect_left(times, ts)
    return i == 0 or ts - times[i - 1] > NEW_WINDOW


def _baseline(times: list[float] | None, learning_until: float | None) -> bool:
    """Steady use before the learning period ended: successful calls on several UTC days."""
    if learning_until is None or not times:
        return False
    days = {int(t // DAY) for t in times if t < learning_until}
    return len(days) >= BASELINE_MIN_DAYS
