"""Findings rules, applied when a run finishes: shadow AI, blocked use, new apps, spikes, LLMjacking."""

import dataclasses
import datetime as dt
import heapq
from typing import Any

from django.db import connection
from django.db.models import Min

from discovery.conf import bedrock_allowlist, llmjacking_learning_days
from discovery.engine.llmjacking import FindingSummary, detect, summarise
from discovery.engine.llmjacking.core import BASELINE_MIN_DAYS, QUARANTINE_POLICY
from discovery.engine.parsers.records import INVOKE_EVENTS, CloudEvent
from discovery.models import (
    AppUsageDay,
    AppUsageTotal,
    CloudPrincipal,
    CloudTrailEvent,
    DiscoveredApp,
    Finding,
    IngestRun,
)
from discovery.selectors import app_status, blocklist_domains, catalog_apps_current
from discovery.services.chunks import as_datetime
from discovery.services.findings import (
    SUPERSEDED,
    FindingSpec,
    findings_supersede,
    findings_upsert_many,
)
from discovery.services.usage_rules import usage_rules_apply

# Usage spike: a day's requests for an app against the mean of the days before it.
SPIKE_BASELINE_DAYS = 14
SPIKE_MIN_BASELINE_DAYS = 3
SPIKE_FACTOR = 3.0
SPIKE_MIN_REQUESTS = 50
TOP_IDENTITIES = 10
CLOUD_EVENT_FIELDS = frozenset(f.name for f in dataclasses.fields(CloudEvent))
STORE_BATCH = 500
LLMJACKING_LOCK = 0x4C4C4D4A  # advisory lock key ("LLMJ")
PRINCIPAL_FIELDS = [
    "source",
    "first_event",
    "last_event",
    "first_success",
    "last_success",
    "events",
    "successes",
    "baseline",
    "updated_at",
]

HEURISTIC_LABELS = {
    "H1": "AI API path shape",
    "H2": "Streaming (text/event-stream) POST",
    "H3": "Large upload to an uncategorised host",
    "H4": "AI SDK user agent",
    "H5": "AI-like host name or .ai domain",
    "H6": "New host used by several people",
    "H8": "Proxy category says AI",
}


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() in {"yes", "true", "1"}


def _usage_evidence(subject: dict, run: IngestRun) -> dict:
    top = heapq.nlargest(TOP_IDENTITIES, subject["identities"].items(), key=lambda kv: kv[1])
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


def _usage_totals(total: AppUsageTotal | None) -> dict:
    """All-time totals across runs, so a title shows what is known now, not one file's share.
    Byte totals of zero mean the log carried no sizes: they are shown as unknown."""
    if total is None:
        return {"requests_total": 0, "users_total": 0}
    return {
        "requests_total": total.requests,
        "users_total": total.users,
        "bytes_up_total": total.bytes_up or None,
        "bytes_down_total": total.bytes_down or None,
        "first_seen_total": total.first_seen.isoformat(),
        "last_seen_total": total.last_seen.isoformat(),
    }


def _touched(days: dict[str, int]) -> list[dt.date]:
    return sorted(dt.date.fromisoformat(d[:10]) for d in days)


def _daily_requests(subjects: dict[str, dict]) -> dict[str, dict[dt.date, int]]:
    """Per catalogue app of the batch, its stored requests per day (the per-day summary, the
    same sums as its rollups) from the spike baseline's start to the last day touched; one
    query for the batch."""
    touched = {k: _touched(v["days"]) for k, v in subjects.items() if not k.startswith("host:")}
    days = [d for ds in touched.values() for d in ds]
    if not days:
        return {}
    rows = AppUsageDay.objects.filter(
        app_key__in=[k for k, ds in touched.items() if ds],
        host="",
        day__gte=min(days) - dt.timedelta(days=SPIKE_BASELINE_DAYS),
        day__lte=max(days),
    ).values_list("app_key", "day", "requests")
    daily: dict[str, dict[dt.date, int]] = {}
    for app_key, day, requests in rows:
        daily.setdefault(app_key, {})[day] = requests
    return daily


def _spike_specs(
    *, run: IngestRun, app_key: str, name: str, days: dict[str, int], totals: dict[dt.date, int]
) -> list[FindingSpec]:
    """Compares each day this run touched with the trailing baseline of stored requests."""
    touched = _touched(days)
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
        spec = FindingSpec(
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
        found.append(spec)
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
    totals = {
        t.app_key: t
        for t in AppUsageTotal.objects.filter(
            host="", app_key__in=[k for k in merged["subjects"] if not k.startswith("host:")]
        )
    }
    daily = _daily_requests(merged["subjects"])
    specs: list[FindingSpec] = []
    for subject_key, subject in sorted(merged["subjects"].items()):
        if subject_key.startswith("host:"):
            continue
        cat = catalog.get(subject_key)
        name = cat.name if cat else subject_key
        hosts = [h.host for h in cat.hosts.all()] if cat else []
        app = apps.get((subject_key, ""))
        status = app_status(app=app, blocked=blocked, hosts=hosts)
        first, last = as_datetime(subject["first"]), as_datetime(subject["last"])
        evidence = _usage_evidence(subject, run) | _usage_totals(totals.get(subject_key))
        if cat:
            evidence |= {"vendor": cat.vendor, "category": cat.category, "risk": cat.risk}
        common = {"first_seen": first, "last_seen": last, "run": run, "app_key": subject_key}
        if status in ("blocked", "unsanctioned"):
            specs.append(
                FindingSpec(
                    kind=Finding.Kind.BLOCKED_USE,
                    dedupe_key=f"blocked_use:{subject_key}",
                    severity="high",
                    title=f"{name} is {status} but was used by {evidence['users_total']} user(s) "
                    f"({evidence['requests_total']} requests in all)",
                    evidence=evidence | {"status": status},
                    **common,
                )
            )
        elif status != "sanctioned":
            trains = cat is not None and _truthy((cat.risk or {}).get("trains_on_customer_data"))
            specs.append(
                FindingSpec(
                    kind=Finding.Kind.UNSANCTIONED_USE,
                    dedupe_key=f"unsanctioned_use:{subject_key}",
                    severity="high" if trains else "medium",
                    title=f"{name} used with no sanctioned AI system "
                    f"({evidence['requests_total']} requests by {evidence['users_total']} "
                    "user(s) in all)",
                    evidence=evidence,
                    **common,
                )
            )
        if app is not None and app.first_run_id == run.pk and status != "sanctioned":
            specs.append(
                FindingSpec(
                    kind=Finding.Kind.NEW_APP,
                    dedupe_key=f"new_app:{subject_key}",
                    severity="low",
                    title=f"New AI app seen: {name}",
                    evidence=evidence,
                    **common,
                )
            )
        specs += _spike_specs(
            run=run,
            app_key=subject_key,
            name=name,
            days=subject["days"],
            totals=daily.get(subject_key, {}),
        )
    return [f for f, _ in findings_upsert_many(specs)]


def _possible_ai_findings(*, run: IngestRun, merged: dict) -> list[Finding]:
    """Heuristic hits go to a review queue, one finding per host listing every heuristic that fired."""
    by_host: dict[str, list[dict]] = {}
    for hit in merged["possible_ai"]:
        by_host.setdefault(hit["host"], []).append(hit)
    specs = []
    for host, hits in sorted(by_host.items()):
        users = set().union(*(set(h["users"]) for h in hits))
        codes = sorted({h["code"] for h in hits})
        samples: list[str] = []
        for h in hits:
            samples.extend(h["samples"][: max(0, 20 - len(samples))])
        spec = FindingSpec(
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
        specs.append(spec)
    return [f for f, _ in findings_upsert_many(specs)]


def _principal_of(e: CloudEvent) -> str:
    return e.principal or e.access_key_id or "unknown"


def _cloud_event(row: dict) -> CloudEvent:
    return CloudEvent(**{k: v for k, v in row.items() if k in CLOUD_EVENT_FIELDS})


def _serialise() -> None:
    """One LLMjacking evaluation at a time (until the transaction ends): a batch finishing while
    another is evaluated waits for it, then reads its events too. SQLite has one writer anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LLMJACKING_LOCK])


def _learning_start(
    source_id: int | None, *, before: IngestRun | None = None
) -> dt.datetime | None:
    """The source's first CloudTrail event time (the learning period counts from it), or what
    it was before the batch ``before`` (whose chunks stored its events)."""
    events = CloudTrailEvent.objects.filter(source_id=source_id)
    if before is not None:
        events = events.exclude(run=before)
    return events.aggregate(t=Min("ts"))["t"]


def _events_of(
    principals: set[str], *, run: IngestRun, batch: list[CloudEvent]
) -> list[CloudEvent]:
    """Every stored event of these principals, plus the quarantine policy attachments (another
    principal's call that changes what a key's later calls mean). The batch's own events are
    in memory already: only other runs' are read back."""
    names = sorted({p[:300] for p in principals})
    rows: list[dict] = []
    earlier = CloudTrailEvent.objects.exclude(run=run)
    for i in range(0, len(names), STORE_BATCH):
        part = names[i : i + STORE_BATCH]
        rows += earlier.filter(principal__in=part).values_list("data", flat=True)
    rows += earlier.filter(event_name="AttachUserPolicy").values_list("data", flat=True)
    by_id = {e.event_id: e for e in batch if e.event_id}  # only events with an ID are stored
    by_id.update((r["event_id"], _cloud_event(r)) for r in rows)
    return sorted(by_id.values(), key=lambda e: (e.ts, e.event_id))


def _principals_update(*, events: list[CloudEvent], principals: set[str], source_id, until):
    """The per-principal history table, by event time: min/max of what is stored now."""
    hist: dict[str, dict] = {}
    for e in events:
        p = _principal_of(e)
        if p not in principals:
            continue
        h = hist.setdefault(p, {"first": e.ts, "last": e.ts, "n": 0, "ok": []})
        h["first"], h["last"] = min(h["first"], e.ts), max(h["last"], e.ts)
        h["n"] += 1
        if e.event_name in INVOKE_EVENTS and not e.error_code:
            h["ok"].append(e.ts)
    rows = {}
    for p, h in sorted(hist.items()):
        ok = h["ok"]
        days = {int(t // 86400) for t in ok if until is not None and t < until}
        rows[p[:300]] = CloudPrincipal(
            principal=p[:300],
            source_id=source_id,
            first_event=as_datetime(h["first"]),
            last_event=as_datetime(h["last"]),
            first_success=as_datetime(min(ok)) if ok else None,
            last_success=as_datetime(max(ok)) if ok else None,
            events=h["n"],
            successes=len(ok),
            baseline=len(days) >= BASELINE_MIN_DAYS,
        )
    CloudPrincipal.objects.bulk_create(
        [rows[p] for p in sorted(rows)],
        batch_size=STORE_BATCH,
        update_conflicts=True,
        unique_fields=["principal"],
        update_fields=PRINCIPAL_FIELDS,
    )


def _closed_last_seen(summaries: list[FindingSummary]) -> dict[str, dt.datetime]:
    """Per dedupe key, the latest last-seen of a finding an officer closed (not superseded)."""
    keys = sorted({s.dedupe_key[:300] for s in summaries})
    closed: dict[str, dt.datetime] = {}
    for i in range(0, len(keys), STORE_BATCH):
        rows = (
            Finding.objects.filter(dedupe_key__in=keys[i : i + STORE_BATCH])
            .exclude(state__in=Finding.OPEN_STATES)
            .exclude(dismiss_reason__startswith=SUPERSEDED)
            .values_list("dedupe_key", "last_seen")
        )
        for key, last_seen in rows:
            closed[key] = max(closed.get(key, last_seen), last_seen)
    return closed


def _summary_spec(
    *, run: IngestRun, summary: FindingSummary, closed: dict[str, dt.datetime]
) -> FindingSpec | None:
    """The finding of one (sub-detection, principal), rewritten from its summary. A finding an
    officer closed is not reopened unless later events arrived."""
    last_closed = closed.get(summary.dedupe_key[:300])
    if last_closed is not None and summary.last_ts <= last_closed:
        return None
    return FindingSpec(
        kind=Finding.Kind.LLMJACKING,
        dedupe_key=summary.dedupe_key,
        severity=summary.severity,
        title=summary.title,
        first_seen=summary.first_ts,
        last_seen=summary.last_ts,
        evidence=summary.evidence(),
        run=run,
        principal=summary.principal,
        source_ip=", ".join(summary.source_ips[:5]),
        region=", ".join(summary.regions),
        replace=True,
    )


def _stale_close(*, principals: set[str], keep: set[str]) -> None:
    """A finding the whole history no longer supports (a late file showed the principal was
    not new after all) is closed as superseded, with an audit entry."""
    stale = Finding.objects.filter(
        kind=Finding.Kind.LLMJACKING, state__in=Finding.OPEN_STATES, principal__in=principals
    ).exclude(dedupe_key__in=keep)
    findings_supersede(
        stale,
        why="events ingested later show this no longer holds "
        "(the rules are re-evaluated over event time).",
    )


def _llmjacking_findings(*, run: IngestRun, cloud_events: list[dict]) -> list[Finding]:
    """Re-evaluates the rules over the whole history (by event time) of every principal the
    batch's CloudTrail events touch (its chunks stored the events), so the findings are the same
    whatever order the files arrive in, and show cumulative totals."""
    if not cloud_events:
        return []
    _serialise()
    batch = [_cloud_event(e) for e in cloud_events]
    source_id = run.source_id
    before = _learning_start(source_id, before=run)
    start = _learning_start(source_id)
    principals = {_principal_of(e) for e in batch}
    quarantined = {
        e.params.get("userName", "")
        for e in batch
        if e.event_name == "AttachUserPolicy" and QUARANTINE_POLICY in e.params.get("policyArn", "")
    }
    if quarantined:
        for name in sorted(n for n in quarantined if n):
            principals |= set(
                CloudPrincipal.objects.filter(principal__endswith=f":user/{name}").values_list(
                    "principal", flat=True
                )
            )
    if before is not None and before != start:
        # The learning period moved: every principal of the source is judged again (with no
        # events before this batch, the batch's principals are all the source has).
        principals |= set(
            CloudTrailEvent.objects.filter(source_id=source_id)
            .values_list("principal", flat=True)
            .distinct()
        )
    days = run.source.learning_days if run.source else llmjacking_learning_days()
    until = (start + dt.timedelta(days=days)).timestamp() if start and days else None
    events = _events_of(principals, run=run, batch=batch)
    detections = detect(events, allowlist=bedrock_allowlist(), learning_until=until)
    by_id = {e.event_id: e for e in events}
    summaries = [s for s in summarise(detections, by_id) if s.principal in principals]
    _principals_update(events=events, principals=principals, source_id=source_id, until=until)
    closed = _closed_last_seen(summaries)
    specs = [_summary_spec(run=run, summary=s, closed=closed) for s in summaries]
    found = [f for f, _ in findings_upsert_many([s for s in specs if s is not None])]
    _stale_close(
        principals={p[:300] for p in principals}, keep={s.dedupe_key[:300] for s in summaries}
    )
    return found


def llmjacking_apply(*, run: IngestRun) -> int:
    """Evaluates the LLMjacking rules over the batch's CloudTrail events, once per batch (a write
    part of its own, beside the rollups'); returns the findings opened or refreshed."""
    return len(_llmjacking_findings(run=run, cloud_events=run.batch_cloud_events()))


def rules_apply(*, run: IngestRun, merged: dict) -> list[Finding]:
    """Every rule but LLMjacking (llmjacking_apply), in order, once per batch; returns the
    findings opened or refreshed by it. ``merged`` is the batch's chunk results added up."""
    found = _app_findings(run=run, merged=merged)
    found += _possible_ai_findings(run=run, merged=merged)
    found += usage_rules_apply(run=run, merged=merged)
    return found
