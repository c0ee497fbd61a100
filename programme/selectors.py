"""Reads of the governance programme. A requester only ever sees their own requests."""

from collections.abc import Mapping

from django.db.models import Count, Q, QuerySet

from discovery.models import CatalogApp, CatalogVersion
from programme.filters import AIUseRequestFilter, RiskFilter
from programme.models import AIUseRequest, ContentVersion, Control, Risk, RiskCategory


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


def controls_for_system(*, system) -> list[Control]:
    """Controls whose content says they apply to the system's kind (OWASP LLM for generative)."""
    return [c for c in control_library() if system.model_type in (c.applies_to_model_types or [])]
