"""Findings rules, applied when a run finishes: shadow AI, blocked use, new apps, spikes, LLMjacking."""

import dataclasses
import datetime as dt
from typing import Any

from django.db.models import Sum

from discovery.conf import bedrock_allowlist
from discovery.engine.llmjacking import detect
from discovery.engine.parsers.records import INVOKE_EVENTS, CloudEvent
from discovery.models import CloudHistory, DiscoveredApp, Finding, IngestRun, UsageRollup
from discovery.selectors import app_status, blocklist_domains, catalog_apps_current
from discovery.services.chunks import as_datetime
from discovery.services.findings import finding_upsert, severity_normalise

# Usage spike: a day's requests for an app against the mean of the days before it.
SPIKE_BASELINE_DAYS = 14
SPIKE_MIN_BASELINE_DAYS = 3
SPIKE_FACTOR = 3.0
SPIKE_MIN_REQUESTS = 50
TOP_IDENTITIES = 10

HEURISTIC_LABELS = {
    "H1": "AI API path shape",
    "H2": "Streaming (text/event-stream) POST",
    "H3": "Large upload to an uncategorised host",
    "H4": "AI SDK user agent",
    "H5": "AI-like host name or .ai domain",
    "H6": "New host used by several people",
    "H8": "Proxy category says AI",
}


MAX_HISTORY_ITEMS = 5000


def _history_update(history: dict, events: list) -> dict:
    """Remembers who already used Bedrock (and with which models and IPs) for the 'new' rules."""
    principals = set(history.get("principals_seen") or ())
    models = set(history.get("models_seen") or ())
    key_ips: dict[str, list[str]] = dict(history.get("key_ips") or {})
    for e in events:
        if (
            e.event_source.startswith("bedrock")
            and e.event_name in INVOKE_EVENTS
            and not e.error_code
        ):
            principals.add(e.principal or e.access_key_id)
            if e.model_id:
                models.add(e.model_id)
        key = e.access_key_id or e.principal
        if key and e.source_ip:
            ips = key_ips.setdefault(key, [])
            if e.source_ip not in ips and len(ips) < 50:
                ips.append(e.source_ip)
    return {
        **history,
        "principals_seen": sorted(p for p in principals if p)[:MAX_HISTORY_ITEMS],
        "models_seen": sorted(models)[:MAX_HISTORY_ITEMS],
        "key_ips": dict(list(key_ips.items())[:MAX_HISTORY_ITEMS]),
    }


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in {"yes", "true", "1"}


def _usage_evidence(subject: dict, run: IngestRun) -> dict:
    top = sorted(subject["identities"].items(), key=lambda kv: -kv[1])[:TOP_IDENTITIES]
    return {
        "run": run.pk,
        "file": run.file_name,
        "requests": subject["requests"],
        "bytes_up": subject["bytes_up"],
        "bytes_down": subject["bytes_down"],
        "distinct_users": len(subject["identities"]),
        "top_users": [{"identity": i, "requests": n} for i, n in top],
        "days": subject["days"],
    }


def _spike_findings(
    *, run: IngestRun, app_key: str, name: str, days: dict[str, int]
) -> list[Finding]:
    """Compares each day this run touched with the trailing baseline of stored rollups."""
    touched = sorted(dt.date.fromisoformat(d[:10]) for d in days)
    if not touched:
        return []
    start = touched[0] - dt.timedelta(days=SPIKE_BASELINE_DAYS)
    totals = dict(
        UsageRollup.objects.filter(app_key=app_key, host="", day__gte=start, day__lte=touched[-1])
        .values("day")
        .annotate(n=Sum("requests"))
        .values_list("day", "n")
    )
    found = []
    for day in touched:
        base = [
            totals[d]
            for d in (day - dt.timedelta(days=i) for i in range(1, SPIKE_BASELINE_DAYS + 1))
            if d in totals
        ]
        today = totals.get(day, 0)
        if len(base) < SPIKE_MIN_BASELINE_DAYS or today < SPIKE_MIN_REQUESTS:
            continue
        mean = sum(base) / len(base)
        if today <= SPIKE_FACTOR * mean:
            continue
        moment = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        finding, _ = finding_upsert(
            kind=Finding.Kind.USAGE_SPIKE,
            dedupe_key=f"usage_spike:{app_key}:{day.isoformat()}",
            severity="medium",
            title=f"Usage spike: {name} on {day.isoformat()} ({today} requests vs {mean:.0f}/day)",
            first_seen=moment,
            last_seen=moment + dt.timedelta(days=1) - dt.timedelta(seconds=1),
            evidence={
                "day": day.isoformat(),
                "requests": today,
                "baseline_mean": round(mean, 1),
                "baseline_days": len(base),
                "factor": SPIKE_FACTOR,
                "run": run.pk,
            },
            run=run,
            app_key=app_key,
        )
        found.append(finding)
    return found


def _app_findings(*, run: IngestRun, merged: dict) -> list[Finding]:
    catalog = {a.key: a for a in catalog_apps_current().prefetch_related("hosts")}
    blocked = set(blocklist_domains())
    apps = {
        (a.app_key, a.host): a
        for a in DiscoveredApp.objects.select_related("system").filter(
            app_key__in=[k for k in merged["subjects"] if not k.startswith("host:")]
        )
    }
    found: list[Finding] = []
    for subject_key, subject in sorted(merged["subjects"].items()):
        if subject_key.startswith("host:"):
            continue
        cat = catalog.get(subject_key)
        name = cat.name if cat else subject_key
        hosts = [h.host for h in cat.hosts.all()] if cat else []
        app = apps.get((subject_key, ""))
        status = app_status(app=app, blocked=blocked, hosts=hosts)
        first, last = as_datetime(subject["first"]), as_datetime(subject["last"])
        evidence = _usage_evidence(subject, run)
        if cat:
            evidence |= {"vendor": cat.vendor, "category": cat.category, "risk": cat.risk}
        common = {"first_seen": first, "last_seen": last, "run": run, "app_key": subject_key}
        if status in ("blocked", "unsanctioned"):
            found.append(
                finding_upsert(
                    kind=Finding.Kind.BLOCKED_USE,
                    dedupe_key=f"blocked_use:{subject_key}",
                    severity="high",
                    title=f"{name} is {status} but was used by {evidence['distinct_users']} user(s)",
                    evidence=evidence | {"status": status},
                    **common,
                )[0]
            )
        elif status != "sanctioned":
            trains = cat is not None and _truthy((cat.risk or {}).get("trains_on_customer_data"))
            found.append(
                finding_upsert(
                    kind=Finding.Kind.UNSANCTIONED_USE,
                    dedupe_key=f"unsanctioned_use:{subject_key}",
                    severity="high" if trains else "medium",
                    title=f"{name} used with no sanctioned AI system ({evidence['requests']} requests)",
                    evidence=evidence,
                    **common,
                )[0]
            )
        if app is not None and app.first_run_id == run.pk and status != "sanctioned":
            found.append(
                finding_upsert(
                    kind=Finding.Kind.NEW_APP,
                    dedupe_key=f"new_app:{subject_key}",
                    severity="low",
                    title=f"New AI app seen: {name}",
                    evidence=evidence,
                    **common,
                )[0]
            )
        found.extend(_spike_findings(run=run, app_key=subject_key, name=name, days=subject["days"]))
    return found


def _possible_ai_findings(*, run: IngestRun, merged: dict) -> list[Finding]:
    """Heuristic hits go to a review queue, one finding per host listing every heuristic that fired."""
    by_host: dict[str, list[dict]] = {}
    for hit in merged["possible_ai"]:
        by_host.setdefault(hit["host"], []).append(hit)
    found = []
    for host, hits in sorted(by_host.items()):
        users = set().union(*(set(h["users"]) for h in hits))
        codes = sorted({h["code"] for h in hits})
        samples: list[str] = []
        for h in hits:
            samples.extend(h["samples"][: max(0, 20 - len(samples))])
        finding, _ = finding_upsert(
            kind=Finding.Kind.POSSIBLE_AI,
            dedupe_key=f"possible_ai:{host}",
            severity="info",
            title=f"Possible AI endpoint: {host} ({', '.join(codes)})",
            first_seen=as_datetime(min(h["first"] for h in hits)),
            last_seen=as_datetime(max(h["last"] for h in hits)),
            evidence={
                "run": run.pk,
                "heuristics": [
                    {
                        "code": h["code"],
                        "label": HEURISTIC_LABELS.get(h["code"].split("_")[0], h["code"]),
                        "count": h["count"],
                    }
                    for h in hits
                ],
                "distinct_users": len(users),
                "users": sorted(users)[:TOP_IDENTITIES],
                "sample_lines": samples,
            },
            run=run,
            host=host,
        )
        found.append(finding)
    return found


def _llmjacking_findings(*, run: IngestRun, cloud_events: list[dict]) -> list[Finding]:
    """Runs the engine's LLMjacking detector over the run's CloudTrail events with the stored per-principal history."""
    if not cloud_events:
        return []
    fields = {f.name for f in dataclasses.fields(CloudEvent)}
    events = sorted(
        (CloudEvent(**{k: v for k, v in e.items() if k in fields}) for e in cloud_events),
        key=lambda e: e.ts,
    )
    state, _ = CloudHistory.objects.select_for_update().get_or_create(key="llmjacking")
    history = state.data or {}
    detections = detect(events, allowlist=bedrock_allowlist(), history=history)
    state.data = _history_update(history, events)
    state.save()
    found = []
    for d in detections:
        regions = sorted(d.regions) if d.regions else []
        samples = [e.as_dict() if hasattr(e, "as_dict") else e for e in list(d.sample_events)[:20]]
        finding, _ = finding_upsert(
            kind=Finding.Kind.LLMJACKING,
            dedupe_key=f"llmjacking:{d.rule_id}:{d.principal}",
            severity=severity_normalise(d.severity),
            title=f"{d.rule_id} {d.name}: {d.principal or 'unknown principal'}",
            first_seen=as_datetime(d.first_ts),
            last_seen=as_datetime(d.last_ts),
            evidence={
                "rule_id": d.rule_id,
                "rule": d.name,
                "summary": d.summary,
                "run": run.pk,
                "event_ids": list(d.event_ids)[:100],
                "sample_events": samples,
                "regions": regions,
            },
            run=run,
            principal=d.principal or "",
            source_ip=d.source_ip or "",
            region=", ".join(regions),
        )
        found.append(finding)
    return found


def rules_apply(*, run: IngestRun, merged: dict, cloud_events: list[dict]) -> list[Finding]:
    """Every rule, in order; returns the findings opened or refreshed by this run."""
    found = _app_findings(run=run, merged=merged)
    found += _possible_ai_findings(run=run, merged=merged)
    found += _llmjacking_findings(run=run, cloud_events=cloud_events)
    return found
