"""Findings are created or refreshed here, so a re-run never opens a second finding for one thing."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_record, audit_record_many
from discovery.models import Finding, IngestRun

MAX_EVIDENCE_RUNS = 20
# Prefix of the dismiss reason of a finding the rules closed; an officer's decision has none.
SUPERSEDED = "Superseded"


def severity_max(a: str, b: str) -> str:
    order = Finding.Severity.values  # least to most severe
    return a if order.index(a) >= order.index(b) else b


def severity_normalise(value: str) -> str:
    """The engine's detections say High/Med/Crit; findings use the model's vocabulary."""
    v = (value or "").strip().lower()
    return {
        "crit": "critical",
        "critical": "critical",
        "high": "high",
        "med": "medium",
        "medium": "medium",
        "low": "low",
        "info": "info",
        "informational": "info",
    }.get(v, "medium")


def findings_supersede(findings: Iterable[Finding], *, why: str) -> None:
    """Closes findings the stored history no longer supports as dismissed and superseded, each
    with an audit entry; a superseded finding does not count as an officer's decision."""
    for f in findings:
        before = f.state
        f.state = Finding.State.DISMISSED
        f.dismiss_reason = f"{SUPERSEDED}: {why}"
        f.save(update_fields=["state", "dismiss_reason", "updated_at"])
        audit_record(
            actor="system",
            action="discovery.finding.supersede",
            target=f,
            changes={"state": [before, f.state]},
        )


CREATE = "discovery.finding.create"
REFRESH = "discovery.finding.refresh"
LOCK_BATCH = 500
# What a refresh or a replace may change (updated_at is set by hand: bulk_update skips auto_now).
REFRESHED_FIELDS = [
    "severity",
    "title",
    "first_seen",
    "last_seen",
    "source_ip",
    "region",
    "evidence",
    "occurrences",
    "run_id",
]


@dataclass
class FindingSpec:
    """What a rule saw about one thing: finding_upsert's arguments, so many can be written at once."""

    kind: str
    dedupe_key: str
    severity: str
    title: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    evidence: dict[str, Any]
    run: IngestRun | None = None
    app_key: str = ""
    host: str = ""
    principal: str = ""
    source_ip: str = ""
    region: str = ""
    actor: Any = "system"
    replace: bool = False
    system: Any = None

    @property
    def key(self) -> str:
        return self.dedupe_key[:300]


def _open_locked(keys: list[str]) -> dict[str, Finding]:
    found: dict[str, Finding] = {}
    for i in range(0, len(keys), LOCK_BATCH):
        rows = (
            Finding.objects.select_for_update()
            .filter(dedupe_key__in=keys[i : i + LOCK_BATCH], state__in=Finding.OPEN_STATES)
            .order_by("pk")
        )
        found.update((f.dedupe_key, f) for f in rows)
    return found


def _new_finding(spec: FindingSpec) -> Finding:
    return Finding(
        kind=spec.kind,
        dedupe_key=spec.key,
        severity=spec.severity,
        title=spec.title[:300],
        app_key=spec.app_key[:80],
        host=spec.host[:253],
        principal=spec.principal[:300],
        source_ip=spec.source_ip[:64],
        region=spec.region[:200],
        evidence={**spec.evidence, "runs": [spec.run.pk] if spec.run else []},
        first_seen=spec.first_seen,
        last_seen=spec.last_seen,
        run=spec.run,
        system=spec.system,
    )


def _findings_create(specs: list[FindingSpec], existing: dict[str, Finding]) -> dict[str, Finding]:
    """Inserts the new findings in one statement. Two runs finishing at once can both find no
    open finding for a key: the later insert waits for the earlier and fails on the
    one-open-finding key, so it is redone one finding at a time, each in a savepoint, and a key
    opened meanwhile joins `existing` to be refreshed."""
    if not specs:
        return {}
    new = [_new_finding(s) for s in specs]
    try:
        with transaction.atomic():
            Finding.objects.bulk_create(new)
        return {f.dedupe_key: f for f in new}
    except IntegrityError:
        pass
    created: dict[str, Finding] = {}
    for spec in specs:
        finding = _new_finding(spec)
        try:
            with transaction.atomic():
                finding.save(force_insert=True)
        except IntegrityError:
            opened = _open_locked([spec.key]).get(spec.key)
            if opened is None:
                raise
            existing[spec.key] = opened
        else:
            created[spec.key] = finding
    return created


def _finding_replace(existing: Finding, spec: FindingSpec) -> dict | None:
    """Sets the finding from the caller's whole-history view; the changes, or None if none."""
    runs = existing.evidence.get("runs", [])
    if spec.run and spec.run.pk not in runs:
        runs = (runs + [spec.run.pk])[-MAX_EVIDENCE_RUNS:]
    new = {
        "severity": spec.severity,
        "title": spec.title[:300],
        "first_seen": spec.first_seen,
        "last_seen": spec.last_seen,
        "source_ip": spec.source_ip[:64],
        "region": spec.region[:200],
    }
    changed = {
        k: [str(getattr(existing, k)), str(v)] for k, v in new.items() if getattr(existing, k) != v
    }
    evidence = {**spec.evidence, "runs": runs}
    if not changed and evidence == existing.evidence:
        return None
    for k, v in new.items():
        setattr(existing, k, v)
    if existing.evidence.get("runs") != runs:
        existing.occurrences += 1
    existing.evidence = evidence
    existing.run = spec.run or existing.run
    return changed


def _finding_refresh(existing: Finding, spec: FindingSpec) -> dict | None:
    """Widens the finding by one more run's view; None if this run refreshed it already."""
    previous_runs = existing.evidence.get("runs", [])
    if spec.run and spec.run.pk in previous_runs:
        return None
    before = {
        "last_seen": existing.last_seen.isoformat(),
        "occurrences": existing.occurrences,
        "title": existing.title,
    }
    run_ids = [spec.run.pk] if spec.run else []
    existing.title = spec.title[:300]
    existing.first_seen = min(existing.first_seen, spec.first_seen)
    existing.last_seen = max(existing.last_seen, spec.last_seen)
    existing.occurrences += 1
    existing.severity = severity_max(existing.severity, spec.severity)
    existing.evidence = {**spec.evidence, "runs": (previous_runs + run_ids)[-MAX_EVIDENCE_RUNS:]}
    existing.run = spec.run or existing.run
    return {
        "last_seen": [before["last_seen"], existing.last_seen.isoformat()],
        "occurrences": [before["occurrences"], existing.occurrences],
        "title": [before["title"], existing.title],
    }


def _distinct_parts(specs: list[FindingSpec]) -> list[list[FindingSpec]]:
    """Consecutive parts with one spec per key: a key given again starts a new part, so its
    second spec refreshes what the first wrote, as two calls in a row would."""
    parts: list[list[FindingSpec]] = [[]]
    keys: set[str] = set()
    for spec in specs:
        if spec.key in keys:
            parts.append([])
            keys = set()
        parts[-1].append(spec)
        keys.add(spec.key)
    return [p for p in parts if p]


def _upsert_part(specs: list[FindingSpec]) -> list[tuple[Finding, bool]]:
    existing = _open_locked([s.key for s in specs])
    created = _findings_create([s for s in specs if s.key not in existing], existing)
    results: list[tuple[Finding, bool]] = []
    changed: list[Finding] = []
    entries: list[dict[str, Any]] = []
    moved: set[str] = set()
    for spec in specs:
        finding = created.get(spec.key)
        if finding is not None:
            results.append((finding, True))
            changes = {
                "kind": [None, spec.kind],
                "severity": [None, spec.severity],
                "title": [None, finding.title],
            }
            entries.append(
                {"actor": spec.actor, "action": CREATE, "target": finding, "changes": changes}
            )
            continue
        finding = existing[spec.key]
        results.append((finding, False))
        before = [getattr(finding, f) for f in REFRESHED_FIELDS]
        changes = (_finding_replace if spec.replace else _finding_refresh)(finding, spec)
        if changes is not None:
            changed.append(finding)
            moved |= {
                f for f, v in zip(REFRESHED_FIELDS, before, strict=True) if getattr(finding, f) != v
            }
            entries.append(
                {"actor": spec.actor, "action": REFRESH, "target": finding, "changes": changes}
            )
    if changed:
        now = timezone.now()
        for finding in changed:
            finding.updated_at = now
        # Only the columns some finding changed: each one costs a CASE over every finding.
        fields = [f.removesuffix("_id") for f in REFRESHED_FIELDS if f in moved] + ["updated_at"]
        if len(changed) == 1:  # a plain UPDATE builds faster than a one-row CASE
            changed[0].save(update_fields=fields)
        else:
            Finding.objects.bulk_update(changed, fields)
    audit_record_many(entries)
    return results


@transaction.atomic
def findings_upsert_many(specs: Iterable[FindingSpec]) -> list[tuple[Finding, bool]]:
    """finding_upsert for a batch's findings, in order, with one lock query, one insert, one
    update and one audit append per batch instead of per finding. Returns (finding, created)
    for each spec; the audit entries are the ones the single calls would write."""
    results: list[tuple[Finding, bool]] = []
    for part in _distinct_parts(list(specs)):
        results += _upsert_part(part)
    return results


def finding_upsert(**kwargs: Any) -> tuple[Finding, bool]:
    """Refreshes the open finding for `dedupe_key` (last seen, count, title, evidence) or opens
    one (arguments: FindingSpec's fields). The title is rewritten on every refresh, so it shows
    current totals, never the counts at creation. With ``replace`` the caller's view is the
    whole history (LLMjacking summaries): severity, times and evidence are set from it rather
    than widened, so the finding is the same whatever order its events arrived in. ``system``
    links a new finding to the inventory system it is about (drift, models used on a system's
    traffic)."""
    return findings_upsert_many([FindingSpec(**kwargs)])[0]
