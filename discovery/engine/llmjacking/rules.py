"""The LLMjacking rules L1-L13, one function each (reference section 4.2)."""

from __future__ import annotations

from collections import defaultdict

from ..parsers.records import INVOKE_EVENTS
from .core import (
    DENIED,
    ENABLEMENT,
    HOUR,
    L1_MAX_PER_MINUTE,
    L1_MIN_REGIONS,
    L1_WINDOW,
    L2_PER_USER_MODEL,
    L3_THRESHOLD,
    L3_WINDOW,
    L4_MIN_REGIONS,
    L4_WINDOW,
    L5_WINDOW,
    L6_INVOKE_WINDOW,
    L9_RATIO,
    L9_WINDOW,
    L10_WINDOW,
    L12_MIN_PER_HOUR,
    L12_P99_FACTOR,
    MIN,
    NEW_WINDOW,
    PROWLER_NAMES,
    QUARANTINE_POLICY,
    RECON,
    SPIKE_BASELINE,
    Detection,
    _clusters,
    _is_new,
    _make,
    _max_in_window,
)


def _l1_probe(principal, pevs, bed, prior) -> list[Detection]:
    probes = [
        e for e in bed if e.event_name in INVOKE_EVENTS and e.error_code == "ValidationException"
    ]
    out = []
    for cl in _clusters(probes, L1_WINDOW):
        regions = _max_in_window(cl, L1_WINDOW, lambda e: e.region)
        per_min = _max_in_window(cl, MIN, lambda e: e.event_id)
        new = _is_new(principal, cl[0].ts, prior)
        start = cl[0].ts - L1_WINDOW
        ident = [
            e for e in pevs if e.event_name == "GetCallerIdentity" and start <= e.ts <= cl[0].ts
        ]
        recon = [e for e in bed if e.event_name in RECON and start <= e.ts <= cl[0].ts]
        seq = bool(ident and recon and ident[0].ts <= recon[-1].ts)
        if not (seq or new or regions >= L1_MIN_REGIONS or per_min > L1_MAX_PER_MINUTE):
            continue
        why = []
        if seq:
            why.append(
                "GetCallerIdentity → model listing → InvokeModel ValidationException sequence"
            )
        if new:
            why.append("principal has no successful Bedrock call in 30 days")
        if regions >= L1_MIN_REGIONS:
            why.append(f"probes in {regions} regions within 15 min")
        if per_min > L1_MAX_PER_MINUTE:
            why.append(f"{per_min} validation errors in one minute")
        evid = (ident[:1] + recon[:5] + cl) if seq else cl
        out.append(
            _make(
                "L1",
                "Invoke probe",
                "high",
                principal,
                evid,
                f"{len(cl)} InvokeModel ValidationException probe(s): " + "; ".join(why),
            )
        )
    return out


def _l2_denied(principal, bed) -> list[Detection]:
    den = [e for e in bed if e.event_name in INVOKE_EVENTS and e.error_code in DENIED]
    if not den:
        return []
    per_model: dict[str, int] = defaultdict(int)
    for e in den:
        per_model[e.model_id] += 1
    worst = max(per_model.values())
    sev = "high" if worst > L2_PER_USER_MODEL else "medium"
    return [
        _make(
            "L2",
            "Invoke denied",
            sev,
            principal,
            den,
            f"{len(den)} Bedrock invocation(s) denied across {len(per_model)} model(s)",
        )
    ]


def _l3_list_failures(principal, bed) -> list[Detection]:
    fails = [e for e in bed if e.event_name == "ListFoundationModels" and e.error_code in DENIED]
    out = []
    by_ip: dict[str, list] = defaultdict(list)
    for e in fails:
        by_ip[e.source_ip].append(e)
    for ip, lst in by_ip.items():
        if _max_in_window(lst, L3_WINDOW, lambda e: e.event_id) > L3_THRESHOLD:
            out.append(
                _make(
                    "L3",
                    "Listing failures",
                    "medium",
                    principal,
                    lst,
                    f"{len(lst)} denied ListFoundationModels calls from {ip}",
                )
            )
    return out


def _l4_regions(principal, bed) -> list[Detection]:
    out = []
    for cl in _clusters(bed, L4_WINDOW):
        n = _max_in_window(cl, L4_WINDOW, lambda e: e.region)
        if n >= L4_MIN_REGIONS:
            out.append(
                _make(
                    "L4",
                    "Multi-region sweep",
                    "high",
                    principal,
                    cl,
                    f"Bedrock calls in {n} regions within 15 minutes",
                )
            )
    return out


def _l5_enum_invoke(principal, bed) -> list[Detection]:
    out = []
    lists = [
        e
        for e in bed
        if e.event_name == "ListFoundationModels" and e.access_key_id.startswith("AKIA")
    ]
    if not lists:
        return out
    used: set[str] = set()
    for lst in lists:
        if lst.event_id in used:
            continue
        inv = [
            e
            for e in bed
            if e.event_name in INVOKE_EVENTS
            and e.access_key_id == lst.access_key_id
            and lst.ts <= e.ts <= lst.ts + L5_WINDOW
        ]
        if inv:
            used.update(e.event_id for e in [lst, *inv])
            out.append(
                _make(
                    "L5",
                    "Enumerate then invoke, long-term key",
                    "high",
                    principal,
                    [lst, *inv],
                    f"ListFoundationModels then {len(inv)} invocation(s) "
                    f"with long-term key {lst.access_key_id} within 15 min",
                )
            )
    return out


def _l6_logging_recon(principal, bed) -> list[Detection]:
    out = []
    for e in bed:
        if e.event_name != "GetModelInvocationLoggingConfiguration":
            continue
        inv = [
            x
            for x in bed
            if x.event_name in INVOKE_EVENTS and e.ts <= x.ts <= e.ts + L6_INVOKE_WINDOW
        ]
        sev = "high" if inv else "low"
        summary = "Read of the model invocation logging configuration"
        if inv:
            summary += f", followed by {len(inv)} invocation(s) within 60 min"
        out.append(_make("L6", "Logging recon", sev, principal, [e, *inv[:5]], summary))
    return out


def _l7_tamper(principal, bed, is_allowed) -> list[Detection]:
    out = []
    for e in bed:
        if e.event_name in (
            "DeleteModelInvocationLoggingConfiguration",
            "DeleteModelInvocationLogging",
        ):
            out.append(
                _make(
                    "L7",
                    "Logging tampering",
                    "high",
                    principal,
                    [e],
                    "Model invocation logging configuration deleted",
                    "L7.delete",
                )
            )
        elif e.event_name == "PutModelInvocationLoggingConfiguration" and not is_allowed:
            out.append(
                _make(
                    "L7",
                    "Logging tampering",
                    "medium",
                    principal,
                    [e],
                    "Model invocation logging configuration changed by a non-allowlisted principal",
                    "L7.change",
                )
            )
    return out


def _l8_enablement(principal, bed) -> list[Detection]:
    hits = [e for e in bed if e.event_name in ENABLEMENT]
    if not hits:
        return []
    names = sorted({e.event_name for e in hits})
    return [
        _make(
            "L8",
            "Model enablement",
            "high",
            principal,
            hits,
            f"Model access enablement calls: {', '.join(names)}",
        )
    ]


def _l9_diversity(principal, bed) -> list[Detection]:
    if not principal.startswith("arn:"):
        return []
    star = [e for e in bed if e.event_name in PROWLER_NAMES]
    out = []
    for cl in _clusters(star, L9_WINDOW):
        n = _max_in_window(cl, L9_WINDOW, lambda e: e.event_name)
        if n / len(PROWLER_NAMES) > L9_RATIO:
            out.append(
                _make(
                    "L9",
                    "API diversity",
                    "critical",
                    principal,
                    cl,
                    f"{n} of {len(PROWLER_NAMES)} LLMjacking-related Bedrock APIs within 24 h",
                )
            )
    return out


def _l10_identity_check(principal, pevs, hist) -> list[Detection]:
    key_ips = hist.get("key_ips") or {}
    out = []
    seen_ips: dict[str, set] = defaultdict(set)
    for i, e in enumerate(pevs):
        key = e.access_key_id or principal
        if e.event_name == "GetCallerIdentity":
            known = set(key_ips.get(key, ())) | set(key_ips.get(principal, ())) | seen_ips[key]
            if e.source_ip not in known:
                follow = [
                    x
                    for x in pevs[i + 1 :]
                    if x.event_source.startswith("bedrock")
                    and (x.access_key_id or principal) == key
                    and x.ts - e.ts <= L10_WINDOW
                ]
                if follow:
                    out.append(
                        _make(
                            "L10",
                            "Identity check then Bedrock",
                            "medium",
                            principal,
                            [e, *follow[:9]],
                            f"GetCallerIdentity from new IP {e.source_ip} "
                            f"then {len(follow)} Bedrock call(s) within 10 min",
                        )
                    )
        if e.source_ip:
            seen_ips[key].add(e.source_ip)
    return out


def _hourly_p99(counts: dict[int, int], hour: int) -> float:
    """p99 of the principal's invocations per hour over the 14 days of event time before ``hour``
    (hours without a call count as zero); ``counts`` maps hour numbers to invocations."""
    n = int(SPIKE_BASELINE // HOUR)
    values = sorted(counts.get(h, 0) for h in range(hour - n, hour))
    if not values[-1]:
        return 0.0
    return float(values[min(n - 1, int(0.99 * n))])


def _l12_usage(principal, bed, hist, prior) -> list[Detection]:
    """First use (no successful call in the 30 days before), hourly spike against the principal's
    own 14-day p99, and a model it had not used in 30 days: all by event time."""
    out = []
    ok_inv = [e for e in bed if e.event_name in INVOKE_EVENTS and not e.error_code]
    for e in ok_inv:
        if _is_new(principal, e.ts, prior):
            out.append(
                _make(
                    "L12",
                    "First use of Bedrock",
                    "medium",
                    principal,
                    [e],
                    "First successful Bedrock call by this principal in 30 days",
                    "L12.first_use",
                )
            )
    if not ok_inv:
        return out
    hist_p99 = float((hist.get("hourly_p99") or {}).get(principal, 0.0))
    hours: dict[int, list] = defaultdict(list)
    for e in ok_inv:
        hours[int(e.ts // HOUR)].append(e)
    counts = {h: len(lst) for h, lst in hours.items()}
    for h, lst in sorted(hours.items()):
        if len(lst) <= L12_MIN_PER_HOUR:
            continue
        limit = max(L12_P99_FACTOR * max(hist_p99, _hourly_p99(counts, h)), L12_MIN_PER_HOUR)
        if len(lst) > limit:
            out.append(
                _make(
                    "L12",
                    "Invocation spike",
                    "medium",
                    principal,
                    lst,
                    f"{len(lst)} invocations in one hour (limit {limit:g})",
                    "L12.spike",
                )
            )
    hist_models = hist.get("models_seen")
    known_org = set(hist_models or ())
    last_use: dict[str, float] = {}
    for e in ok_inv:
        model = e.model_id
        if not model:
            continue
        prev = last_use.get(model)
        last_use[model] = e.ts
        if _is_new(principal, e.ts, prior):
            continue
        # Without a model history, only models used earlier in these events are known.
        known_principal = hist_models is not None or isinstance(prior.get(principal), list)
        if (
            known_principal
            and model not in known_org
            and (prev is None or e.ts - prev > NEW_WINDOW)
        ):
            out.append(
                _make(
                    "L12",
                    "New model",
                    "medium",
                    principal,
                    [e],
                    f"Model {model} first used by this principal in 30 days",
                    "L12.new_model",
                )
            )
    return out


def _l13_root(principal, bed) -> list[Detection]:
    root = [e for e in bed if e.identity_type == "Root" or e.arn.endswith(":root")]
    if not root:
        return []
    return [
        _make(
            "L13",
            "Root or quarantined key",
            "critical",
            principal,
            root,
            f"Root account made {len(root)} Bedrock call(s)",
            "L13.root",
        )
    ]


def _l13_quarantine(evs, hist) -> list[Detection]:
    keys = set(hist.get("quarantined_keys") or ())
    users = set(hist.get("quarantined_users") or ())
    out = []
    hits: dict[str, list] = defaultdict(list)
    for e in evs:
        if e.event_name == "AttachUserPolicy" and QUARANTINE_POLICY in e.params.get(
            "policyArn", ""
        ):
            users.add(e.params.get("userName", ""))
            continue
        user = e.arn.rsplit("/", 1)[-1] if ":user/" in e.arn else ""
        if e.event_source.startswith("bedrock") and (
            (e.access_key_id and e.access_key_id in keys) or (user and user in users)
        ):
            hits[e.principal].append(e)
    for principal, lst in hits.items():
        out.append(
            _make(
                "L13",
                "Root or quarantined key",
                "critical",
                principal,
                lst,
                f"Key under {QUARANTINE_POLICY} still calling Bedrock ({len(lst)} call(s))",
                "L13.quarantine",
            )
        )
    return out


def _l11_api_keys(evs, hist, allowed) -> list[Detection]:
    out = []
    key_users: set[str] = set()
    key_ips = hist.get("key_ips") or {}
    seen_ips: dict[str, set] = defaultdict(set)

    def known(e) -> set:
        """IPs this key (or, without one, this principal) called from before: another
        principal's addresses say nothing about whether this key is in the wrong hands."""
        key = e.access_key_id or e.principal
        return set(key_ips.get(key, ())) | set(key_ips.get(e.principal, ())) | seen_ips[key]

    for e in evs:
        if e.event_source != "iam.amazonaws.com" and not e.bearer_token:
            continue
        name = e.event_name
        if name == "CreateServiceSpecificCredential" and e.params.get("serviceName", "").startswith(
            "bedrock"
        ):
            out.append(
                _make(
                    "L11",
                    "Bedrock API keys",
                    "medium",
                    e.principal,
                    [e],
                    "Long-term Bedrock API key created (CreateServiceSpecificCredential)",
                    "L11.credential",
                )
            )
        elif name == "CreateUser" and e.params.get("userName", "").startswith("BedrockAPIKey-"):
            key_users.add(e.params["userName"])
            out.append(
                _make(
                    "L11",
                    "Bedrock API keys",
                    "medium",
                    e.principal,
                    [e],
                    f"IAM user {e.params['userName']} created for a Bedrock API key",
                    "L11.user",
                )
            )
        elif name == "CreateAccessKey" and e.params.get("userName", "").startswith(
            "BedrockAPIKey-"
        ):
            out.append(
                _make(
                    "L11",
                    "Bedrock API keys",
                    "critical",
                    e.principal,
                    [e],
                    f"Access key created on Bedrock API key user {e.params['userName']}",
                    "L11.access_key",
                )
            )
        elif e.bearer_token and e.source_ip not in known(e) and not allowed(e):
            out.append(
                _make(
                    "L11",
                    "Bedrock API keys",
                    "high",
                    e.principal,
                    [e],
                    f"Bedrock API key (bearer token) call from unknown IP {e.source_ip}",
                    "L11.bearer",
                )
            )
            seen_ips[e.access_key_id or e.principal].add(e.source_ip)
    return out
