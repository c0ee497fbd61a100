"""The machine-readable files in a pack: inventory.csv, findings.csv, classifications.json and indexes."""

import json
from typing import Any

from core.csvio import csv_spool
from evidence.collect import PackData


def inventory_csv(data: PackData):
    header = [
        "id", "name", "vendor", "owner", "team", "roles", "lifecycle", "sanction_status",
        "origin", "model_type", "jurisdictions", "domains", "decision_role", "updated_at",
    ]  # fmt: skip
    rows = (
        [
            s.system.pk,
            s.system.name,
            s.system.vendor.name if s.system.vendor else "",
            s.system.owner.get_username() if s.system.owner else "",
            s.system.team,
            ";".join(s.system.roles),
            s.system.lifecycle,
            s.system.sanction_status,
            s.system.origin,
            s.system.model_type,
            ";".join(s.system.jurisdictions),
            ";".join(s.system.domains),
            s.system.decision_role,
            s.system.updated_at.isoformat(),
        ]
        for s in data.systems
    )
    return csv_spool(header, rows)


def findings_csv(data: PackData):
    header = [
        "id", "kind", "severity", "state", "title", "app_key", "host", "principal",
        "source_ip", "region", "occurrences", "first_seen", "last_seen", "system", "dismiss_reason",
    ]  # fmt: skip
    rows = (
        [
            f.pk,
            f.kind,
            f.severity,
            f.state,
            f.title,
            f.app_key,
            f.host,
            f.principal,
            f.source_ip,
            f.region,
            f.occurrences,
            f.first_seen.isoformat(),
            f.last_seen.isoformat(),
            f.system.name if f.system else "",
            f.dismiss_reason,
        ]
        for f in data.discovery.get("findings", [])
    )
    return csv_spool(header, rows)


def evidence_index_csv(data: PackData):
    header = [
        "status", "path_in_pack", "name", "content_type", "size", "sha256", "vendor", "system",
        "checklist_item", "uploaded_by", "uploaded_at", "effective_date", "expiry_date", "problem",
    ]  # fmt: skip
    rows = (
        [
            "MISSING" if e.missing else "included",
            e.zip_path,
            e.name,
            e.content_type,
            e.size,
            e.sha256,
            e.vendor,
            e.system,
            e.item,
            e.uploaded_by,
            e.uploaded_at.isoformat() if e.uploaded_at else "",
            e.effective_date,
            e.expiry_date,
            e.problem,
        ]
        for e in data.evidence
    )
    return csv_spool(header, rows)


def audit_csv(data: PackData, entries):
    header = ["seq", "created_at", "actor", "action", "target_type", "target_id", "target", "changes", "hash", "prev_hash"]  # fmt: skip
    rows = (
        [
            e.seq,
            e.created_at.isoformat(),
            e.actor_label,
            e.action,
            e.target_type,
            e.target_id,
            e.target_repr,
            json.dumps(e.changes, sort_keys=True, default=str),
            e.hash,
            e.prev_hash,
        ]
        for e in entries
    )
    return csv_spool(header, rows)


def classifications_json(data: PackData) -> bytes:
    out: list[dict[str, Any]] = []
    for section in data.systems:
        for c in section.classifications:
            result = c.get("result")
            entry: dict[str, Any] = {
                "system_id": section.system.pk,
                "system": section.system.name,
                "regime": c["regime"].code,
                "classified": result is not None,
            }
            if result is not None:
                entry.update(
                    {
                        "content_version": result.content_version.version,
                        "content_sha256": result.content_version.sha256,
                        "computed_at": result.computed_at.isoformat(),
                        "evaluated_on": result.evaluated_on.isoformat(),
                        "inputs_hash": result.inputs_hash,
                        "applies": result.applies,
                        "outcome": result.outcome,
                        "outcome_label": result.outcome_label,
                        "risk_tier": result.risk_tier,
                        "high_risk": result.high_risk,
                        "roles": result.roles,
                        "triggered_obligations": result.triggered_obligations,
                        "rationale": result.rationale,
                    }
                )
            entry["overrides"] = [
                {
                    "outcome_label": o.outcome_label,
                    "risk_tier": o.risk_tier,
                    "justification": o.justification,
                    "created_by": o.created_by.get_username(),
                    "created_at": o.created_at.isoformat(),
                    "withdrawn_at": o.withdrawn_at.isoformat() if o.withdrawn_at else None,
                }
                for o in c.get("overrides", [])
            ]
            out.append(entry)
    document = {
        "scope": {
            "regime": data.scope.regime or "all",
            "period_from": data.scope.period_from.isoformat(),
            "period_to": data.scope.period_to.isoformat(),
        },
        "content_versions": [
            {k: (str(v) if v is not None else None) for k, v in cv.items()}
            for cv in data.content_versions
        ],
        "classifications": out,
    }
    return (json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n").encode()
