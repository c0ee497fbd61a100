"""Reads of the governance programme. A requester only ever sees their own requests."""

from collections.abc import Mapping

from django.db.models import Count, Q, QuerySet

from discovery.models import CatalogApp, CatalogVersion
from programme.filters import AIUseRequestFilter, RiskFilter
from programme.models import (
    AIUseRequest,
    ContentVersion,
    Control,
    Risk,
    RiskCategory,
    RiskControl,
    SystemControl,
)


def sees_every_request(user) -> bool:
    return user.has_perm("programme.view_aiuserequest") or user.has_perm(
        "programme.triage_aiuserequest"
    )


def ai_use_request_visible(*, user) -> QuerySet[AIUseRequest]:
    qs = AIUseRequest.objects.select_related("requester", "decided_by", "system")
    return qs if sees_every_request(user) else qs.filter(requester=user)


def ai_use_request_filterset(*, user, filters: Mapping | None = None) -> AIUseRequestFilter:
    return AIUseRequestFilter(filters or None, queryset=ai_use_request_visible(user=user))


def catalog_search(*, query: str, limit: int = 10) -> list[CatalogApp]:
    """AI tools of the newest catalogue whose name, vendor or key matches; bounded."""
    query = query.strip()
    latest = CatalogVersion.objects.order_by("-loaded_at", "-pk").first()
    if not query or latest is None:
        return []
    return list(
        CatalogApp.objects.filter(version=latest)
        .filter(Q(name__icontains=query) | Q(vendor__icontains=query) | Q(key__icontains=query))
        .order_by("name")[:limit]
    )


def catalog_app(*, key: str) -> CatalogApp | None:
    latest = CatalogVersion.objects.order_by("-loaded_at", "-pk").first()
    if not key or latest is None:
        return None
    return CatalogApp.objects.filter(version=latest, key=key).first()


# --- Risk register ----------------------------------------------------------------------------


def risk_filterset(*, filters: Mapping | None = None) -> RiskFilter:
    qs = Risk.objects.select_related("system", "category", "owner").annotate(
        control_count=Count("controls", distinct=True)
    )
    return RiskFilter(filters or None, queryset=qs)


def score_band(score: int) -> str:
    if score >= 15:
        return "critical"
    if score >= 10:
        return "high"
    if score >= 5:
        return "medium"
    return "low"


def heat_map(*, risks: QuerySet[Risk]) -> dict:
    """Open risks counted by where they sit now (residual once assessed): likelihood rows 5 → 1,
    impact columns 1 → 5. One query."""
    counts: dict[tuple[int, int], int] = {}
    open_risks = risks.filter(status__in=Risk.OPEN_STATUSES).values_list(
        "likelihood", "impact", "residual_likelihood", "residual_impact"
    )
    total = 0
    for likelihood, impact, rl, ri in open_risks:
        key = (rl, ri) if rl and ri else (likelihood, impact)
        counts[key] = counts.get(key, 0) + 1
        total += 1
    rows = [
        {
            "likelihood": lk,
            "cells": [
                {"impact": im, "count": counts.get((lk, im), 0), "band": score_band(lk * im)}
                for im in range(1, 6)
            ],
        }
        for lk in range(5, 0, -1)
    ]
    return {"rows": rows, "total": total, "impacts": list(range(1, 6))}


def control_library(*, filters: Mapping | None = None) -> QuerySet[Control]:
    content = ContentVersion.objects.filter(kind="controls").order_by("-version", "-pk").first()
    qs = Control.objects.filter(content=content) if content else Control.objects.none()
    framework = (filters or {}).get("framework", "")
    return qs.filter(framework=framework) if framework else qs


def risk_categories() -> QuerySet[RiskCategory]:
    content = ContentVersion.objects.filter(kind="risk-sources").order_by("-version", "-pk").first()
    return RiskCategory.objects.filter(content=content) if content else RiskCategory.objects.none()


def control_applies(control: Control, system) -> bool:
    """The content says which model types and which capabilities (tool use, retrieval) carry it."""
    return system.model_type in (control.applies_to_model_types or []) or bool(
        set(control.applies_to_capabilities or []) & set(system.capabilities or [])
    )


def controls_for_system(*, system) -> list[Control]:
    """Controls the system carries by its kind: the OWASP LLM controls for generative systems
    and for any system that calls tools or retrieves documents."""
    return [c for c in control_library() if control_applies(c, system)]


def control_status_for_system(*, system) -> dict[str, list[RiskControl]]:
    """Control code -> its mappings on the system's risks and the organisation-wide ones, and its
    status recorded for the system (or the organisation) directly, with evidence; a control is
    as implemented as its best one."""
    rows = (
        RiskControl.objects.filter(Q(risk__system=system) | Q(risk__system__isnull=True))
        .select_related("control", "risk")
        .prefetch_related("evidence")
        .order_by("control__code", "pk")
    )
    recorded = (
        SystemControl.objects.filter(Q(system=system) | Q(system__isnull=True))
        .select_related("control")
        .prefetch_related("evidence")
        .order_by("control__code", "pk")
    )
    found: dict[str, list] = {}
    for row in [*rows, *recorded]:
        found.setdefault(row.control.code, []).append(row)
    return found


STATUS_RANK = {"implemented": 3, "in_progress": 2, "planned": 1, "not_applicable": 0}


def best_status(mappings: list[RiskControl]) -> str:
    return max((m.status for m in mappings), key=STATUS_RANK.get, default="")


def short_id(key: str) -> str:
    """'co.sb26-189-r2.obligation.co-04' -> 'co-04', the id the content files write."""
    return key.rsplit(".obligation.", 1)[-1]


def obligation_coverage(*, system) -> list[dict]:
    """For each obligation the system's current classification triggers: the library's controls
    mapped to it, their implementation status on the system's risks and their evidence."""
    from regulations.models import Obligation
    from regulations.selectors import classification_current

    current = {c: r for c, r in sorted(classification_current(system).items()) if r.applies}
    titles = {
        (o.content_version_id, o.key): o
        for o in Obligation.objects.filter(
            content_version_id__in=[r.content_version_id for r in current.values()]
        ).only("content_version_id", "key", "title", "citation")
    }
    by_obligation: dict[str, list[Control]] = {}
    for control in control_library():
        for key in control.obligations or []:
            by_obligation.setdefault(key, []).append(control)
    status = control_status_for_system(system=system)
    rows = []
    for code, result in current.items():
        for key in result.triggered_obligations:
            obligation = titles.get((result.content_version_id, key))
            controls = []
            for control in by_obligation.get(short_id(key), []):
                mappings = status.get(control.code, [])
                best = best_status(mappings)
                controls.append(
                    {
                        "control": control,
                        "status": best,
                        "status_label": dict(RiskControl.Status.choices).get(best, ""),
                        "evidence": [e for m in mappings for e in m.evidence.all()],
                    }
                )
            rows.append(
                {
                    "regime": code,
                    "obligation": short_id(key),
                    "title": obligation.title if obligation else "",
                    "citation": obligation.citation if obligation else "",
                    "controls": controls,
                    "implemented": sum(1 for c in controls if c["status"] == "implemented"),
                }
            )
    return rows
