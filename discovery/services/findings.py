"""Findings are created or refreshed here, so a re-run never opens a second finding for one thing."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from core.audit import audit_record
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


def _open_locked(dedupe_key: str) -> Finding | None:
    return (
        Finding.objects.select_for_update()
        .filter(dedupe_key=dedupe_key[:300], state__in=Finding.OPEN_STATES)
        .first()
    )


def _finding_replace(
    existing: Finding,
    *,
    severity: str,
    title: str,
    first_seen: dt.datetime,
    last_seen: dt.datetime,
    evidence: dict[str, Any],
    run: IngestRun | None,
    source_ip: str,
    region: str,
    actor: Any,
) -> tuple[Finding, bool]:
    runs = existing.evidence.get("runs", [])
    if run and run.pk not in runs:
        runs = (runs + [run.pk])[-MAX_EVIDENCE_RUNS:]
    new = {
        "severity": severity,
        "title": title[:300],
        "first_seen": first_seen,
        "last_seen": last_seen,
        "source_ip": source_ip[:64],
        "region": region[:200],
    }
    changed = {
        k: [str(getattr(existing, k)), str(v)] for k, v in new.items() if getattr(existing, k) != v
    }
    evidence = {**evidence, "runs": runs}
    if not changed and evidence == existing.evidence:
        return existing, False
    for k, v in new.items():
        setattr(existing, k, v)
    if existing.evidence.get("runs") != runs:
        existing.occurrences += 1
    existing.evidence = evidence
    existing.run = run or existing.run
    existing.save()
    audit_record(actor=actor, action="discovery.finding.refresh", target=existing, changes=changed)
    return existing, False


@transaction.atomic
def finding_upsert(
    *,
    kind: str,
    dedupe_key: str,
    severity: str,
    title: str,
    first_seen: dt.datetime,
    last_seen: dt.datetime,
    evidence: dict[str, Any],
    run: IngestRun | None = None,
    app_key: str = "",
    host: str = "",
    principal: str = "",
    source_ip: str = "",
    region: str = "",
    actor: Any = "system",
    replace: bool = False,
    system: Any = None,
) -> tuple[Finding, bool]:
    """Refreshes the open finding for `dedupe_key` (last seen, count, title, evidence) or opens
    one. The title is rewritten on every refresh, so it shows current totals, never the counts
    at creation. With ``replace`` the caller's view is the whole history (LLMjacking summaries):
    severity, times and evidence are set from it rather than widened, so the finding is the
    same whatever order its events arrived in. ``system`` links a new finding to the
    inventory system it is about (drift, models used on a system's traffic)."""
    run_ids = [run.pk] if run else []
    existing = _open_locked(dedupe_key)
    if existing is None:
        try:
            # A savepoint: two runs finishing at once both find no open finding; the second
            # insert waits for the first and fails on the one-open-finding key, then refreshes it.
            with transaction.atomic():
                finding = Finding.objects.create(
                    kind=kind,
                    dedupe_key=dedupe_key[:300],
                    severity=severity,
                    title=title[:300],
                    app_key=app_key[:80],
                    host=host[:253],
                    principal=principal[:300],
                    source_ip=source_ip[:64],
                    region=region[:200],
                    evidence={**evidence, "runs": run_ids},
                    first_seen=first_seen,
                    last_seen=last_seen,
                    run=run,
                    system=system,
                )
        except IntegrityError:
            existing = _open_locked(dedupe_key)
            if existing is None:
                raise
        else:
            audit_record(
                actor=actor,
                action="discovery.finding.create",
                target=finding,
                changes={
                    "kind": [None, kind],
                    "severity": [None, severity],
                    "title": [None, finding.title],
                },
            )
            return finding, True
    if replace:
        return _finding_replace(
            existing,
            severity=severity,
            title=title,
            first_seen=first_seen,
            last_seen=last_seen,
            evidence=evidence,
            run=run,
            source_ip=source_ip,
            region=region,
            actor=actor,
        )
    before = {
        "last_seen": existing.last_seen.isoformat(),
        "occurrences": existing.occurrences,
        "title": existing.title,
    }
    previous_runs = existing.evidence.get("runs", [])
    if run and run.pk in previous_runs:
        return existing, False
    existing.title = title[:300]
    existing.first_seen = min(existing.first_seen, first_seen)
    existing.last_seen = max(existing.last_seen, last_seen)
    existing.occurrences += 1
    existing.severity = severity_max(existing.severity, severity)
    existing.evidence = {**evidence, "runs": (previous_runs + run_ids)[-MAX_EVIDENCE_RUNS:]}
    existing.run = run or existing.run
    existing.save()
    audit_record(
        actor=actor,
        action="discovery.finding.refresh",
        target=existing,
        changes={
            "last_seen": [before["last_seen"], existing.last_seen.isoformat()],
            "occurrences": [before["occurrences"], existing.occurrences],
            "title": [before["title"], existing.title],
        },
    )
    return existing, False
