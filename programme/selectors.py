"""Reads of the governance programme. A requester only ever sees their own requests."""

from collections.abc import Mapping

from django.db.models import Q, QuerySet

from discovery.models import CatalogApp, CatalogVersion
from programme.filters import AIUseRequestFilter
from programme.models import AIUseRequest


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
