"""Classifications (with rationale and overrides), obligations and deadlines, as of the period's end."""

from collections import defaultdict

from evidence.collect.base import PackData
from regulations.models import ContentVersion, Deadline
from regulations.selectors import (
    classification_latest_before,
    content_version_list,
    deadline_list_for_systems,
    deadline_status_at,
    deadline_status_label,
    obligation_list,
    organisation_get,
    override_list_before,
    regime_list_scoped,
)


def _org(data: PackData) -> None:
    org = organisation_get()
    if org is None:
        data.organisation = {}
        data.notes["organisation"] = "No organisation profile has been recorded."
        return
    data.organisation = {
        "name": org.name,
        "kind": org.get_org_kind_display(),
        "employees": org.employees,
        "does_business_in": ", ".join(org.does_business_in) or "none recorded",
    }


def collect(data: PackData) -> None:
    _org(data)
    scope = data.scope
    regimes = regime_list_scoped(code=scope.regime)
    data.regimes = [{"code": r.code, "name": r.name} for r in regimes]
    regime_ids = [r.pk for r in regimes]
    system_ids = [s.system.pk for s in data.systems]

    # Latest result per (system, regime) computed before the period ended.
    latest = classification_latest_before(
        system_ids=system_ids, regime_ids=regime_ids, before=scope.end
    )
    data.add_targets("regulations.classificationresult", (r.pk for r in latest.values()))

    overrides = defaultdict(list)
    for ov in override_list_before(system_ids=system_ids, regime_ids=regime_ids, before=scope.end):
        overrides[(ov.system_id, ov.regime_id)].append(ov)
        data.add_targets("regulations.manualoverride", [ov.pk])

    used_versions = {r.content_version_id for r in latest.values()}
    data.content_versions = [
        {
            "regime": v.regime.code.upper(),
            "version": v.version,
            "status": v.get_status_display(),
            "sha256": v.sha256,
            "effective_from": v.effective_from,
            "used": v.pk in used_versions,
        }
        for v in content_version_list(regime_ids=regime_ids)
        if v.pk in used_versions or v.status == ContentVersion.Status.IN_FORCE
    ]
    if not regimes:
        data.notes["classification"] = "No regulatory content has been loaded."

    obligation_rows = {
        (o.content_version_id, o.key): o for o in obligation_list(content_version_ids=used_versions)
    }
    deadlines = defaultdict(list)
    codes = [r.code for r in regimes]
    for d in deadline_list_for_systems(system_ids=system_ids, regime_codes=codes):
        deadlines[d.system_id].append(d)
        data.add_targets("regulations.deadline", [d.pk])

    for section in data.systems:
        sid = section.system.pk
        used_deadlines: set[int] = set()
        for regime in regimes:
            result = latest.get((sid, regime.pk))
            ovs = overrides.get((sid, regime.pk), [])
            if result is None:
                section.classifications.append({"regime": regime, "result": None, "overrides": ovs})
                continue
            section.classifications.append(
                {
                    "regime": regime,
                    "result": result,
                    "rationale": result.rationale or [],
                    "met": [r for r in result.rationale or [] if r.get("met")],
                    "not_met": [r for r in result.rationale or [] if not r.get("met")],
                    "overrides": ovs,
                    "active_override": next((o for o in reversed(ovs) if o.active), None),
                }
            )
            for key in result.triggered_obligations or []:
                obligation = obligation_rows.get((result.content_version_id, key))
                rows = [
                    d
                    for d in deadlines.get(sid, [])
                    if d.obligation_key == key and d.regime_code == regime.code
                ]
                used_deadlines.update(d.pk for d in rows)
                section.obligations.append(
                    {
                        "regime": regime.code.upper(),
                        "key": key,
                        "title": obligation.title if obligation else key,
                        "citation": obligation.citation if obligation else "",
                        "deadlines": [_deadline(d, data) for d in rows],
                    }
                )
        section.deadlines_unlinked = [
            _deadline(d, data) for d in deadlines.get(sid, []) if d.pk not in used_deadlines
        ]


def _deadline(d: Deadline, data: PackData) -> dict:
    """Status as it stood at the end of the period, not today: a later completion does not count."""
    status = deadline_status_at(d, end=data.scope.end, on=data.scope.period_to)
    return {
        "title": d.title,
        "due_date": d.due_date,
        "kind": d.get_kind_display(),
        "regime": d.regime_code.upper(),
        "status": status,
        "status_label": deadline_status_label(status),
        "completed_at": d.completed_at,
        "completed_by": d.completed_by.get_username() if d.completed_by else "",
        "note": d.completion_note,
    }
