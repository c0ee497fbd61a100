"""LLMjacking / cloud-AI abuse detection over compact CloudTrail events (reference section 4.2).

Pure: no Django. Thresholds live in ``core`` as constants named after the reference rule ids;
"(proposed)" values in the reference are Sightline choices, not published rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..parsers.records import CloudEvent
from .core import *  # noqa: F403 - re-export the constants named after the rules
from .core import Detection, _first_success, _role_names
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

__all__ = ["Detection", "detect"]


def detect(
    events: Iterable[CloudEvent], *, allowlist: set[str], history: dict | None = None
) -> list[Detection]:
    """Run every rule. ``history`` (30 days before these events) may hold:
    ``principals_seen`` (principals with a successful Bedrock call), ``models_seen``,
    ``key_ips`` ({access key or principal: [ips]}), ``hourly_p99`` ({principal: float}) and
    ``quarantined_keys`` / ``quarantined_users``. Without it every principal counts as new."""
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
    out.sort(key=lambda d: (d.first_ts, d.rule_id, d.principal))
    return out
