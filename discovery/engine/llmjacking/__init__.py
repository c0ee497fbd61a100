"""LLMjacking / cloud-AI abuse detection over compact CloudTrail events (reference section 4.2).

Pure: no Django. Thresholds live in ``core`` as constants named after the reference rule ids;
"(proposed)" values in the reference are Sightline choices, not published rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..parsers.records import CloudEvent
from .aggregate import FindingSummary, summarise
from .core import *  # noqa: F403 - re-export the constants named after the rules
from .core import (
    BASELINE_CAP,
    LEARNING_CAPPED,
    SEVERITIES,
    Detection,
    _baseline,
    _first_success,
    _role_names,
)
from .rules import (
    _l1_probe,
    _l2_denied,
    _l3_list_failures,
    _l4_regions,
    _l5_enum_invoke,
    _l6_logging_recon,
    _l7_tamper,
    _l8_enablement,
    _l9_diversity,
    _l10_identity_check,
    _l11_api_keys,
    _l12_usage,
    _l13_quarantine,
    _l13_root,
)

__all__ = ["Detection", "FindingSummary", "detect", "summarise"]


def _cap(sev: str, cap: str) -> str:
    return sev if SEVERITIES.index(sev) <= SEVERITIES.index(cap) else cap


def detect(
    events: Iterable[CloudEvent],
    *,
    allowlist: set[str],
    history: dict | None = None,
    learning_until: float | None = None,
) -> list[Detection]:
    """Run every rule over events taken in event-time order, so the result does not depend on
    the order the events arrived in. ``history`` (30 days before these events) may hold:
    ``principals_seen`` (principals with a successful Bedrock call), ``models_seen``,
    ``key_ips`` ({access key or principal: [ips]}), ``hourly_p99`` ({principal: float}) and
    ``quarantined_keys`` / ``quarantined_users``; without it, "new" is judged from the events.

    ``learning_until`` ends the learning period (an event time): first-use style detections
    before it raise at most info, and principals with steady use before it are baseline."""
    hist = history or {}
    seen_ids: set[str] = set()
    evs: list[CloudEvent] = []
    for e in events:
        if e.event_id and e.event_id in seen_ids:
            continue
        seen_ids.add(e.event_id)
        evs.append(e)
    evs.sort(key=lambda e: (e.ts, e.event_id))
    allow = set(allowlist)

    def allowed(e: CloudEvent) -> bool:
        return bool(allow) and not allow.isdisjoint(_role_names(e))

    by_principal: dict[str, list[CloudEvent]] = defaultdict(list)
    for e in evs:
        by_principal[e.principal or e.access_key_id or "unknown"].append(e)

    out: list[Detection] = []
    prior_success = _first_success(evs, hist)
    for principal, pevs in by_principal.items():
        bed = [e for e in pevs if e.event_source.startswith("bedrock")]
        is_allowed = allowed(pevs[0])
        out += _l13_root(principal, bed)
        out += _l7_tamper(principal, bed, is_allowed)
        if is_allowed:
            continue
        out += _l1_probe(principal, pevs, bed, prior_success)
        out += _l2_denied(principal, bed)
        out += _l3_list_failures(principal, bed)
        out += _l4_regions(principal, bed)
        out += _l5_enum_invoke(principal, bed)
        out += _l6_logging_recon(principal, bed)
        out += _l8_enablement(principal, bed)
        out += _l9_diversity(principal, bed)
        out += _l10_identity_check(principal, pevs, hist)
        out += _l12_usage(principal, bed, hist, prior_success)
    out += _l11_api_keys(evs, hist, allowed)
    out += _l13_quarantine(evs, hist)
    for d in out:
        if learning_until is not None and d.key in LEARNING_CAPPED:
            if d.first_ts.timestamp() < learning_until:
                d.severity = "info"
                d.learning = True
            elif _baseline(prior_success.get(d.principal), learning_until):
                d.baseline = True
                d.severity = _cap(d.severity, BASELINE_CAP.get(d.key, d.severity))
    out.sort(key=lambda d: (d.first_ts, d.key, d.principal, d.event_ids[:1]))
    return out
