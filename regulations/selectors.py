"""Reads of the regulations app, including the ones other apps call (interfaces item 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTextTransform

from regulations.filters import (
    ClassificationResultFilter,
    DeadlineFilter,
    RegimeFilter,
)
from regulations.models import (
    AssessmentTemplate,
    ClassificationResult,
    ContentVersion,
    Deadline,
    ManualOverride,
    Regime,
    VendorChecklistItem,
)


def classification_current(system) -> dict[str, ClassificationResult]:
    """Regime code -> the latest stored result for the system."""
    rows = (
        ClassificationResult.objects.filter(system=system)
        .select_related("regime", "content_version")
        # The whole law (~10-20 KB of JSON a version) is not shown; its display name is.
        .defer("content_version__data")
        .annotate(version_regime_name=KeyTextTransform("regime_name", "content_version__data"))
        .order_by("regime__code", "-computed_at", "-pk")
    )
    current: dict[str, ClassificationResult] = {}
    for row in rows:
        current.setdefault(row.regime.code, row)
    return current


def classification_history(
    *, system, regime: Regime, limit: int = 10
) -> list[ClassificationResult]:
    return list(
        ClassificationResult.objects.filter(system=system, regime=regime)
        .select_related("content_version")
        .order_by("-computed_at", "-pk")[:limit]
    )


def overrides_active(system) -> dict[str, ManualOverride]:
    rows = ManualOverride.objects.filter(system=system, withdrawn_at__isnull=True).select_related(
        "regime", "created_by", "result"
    )
    return {row.regime.code: row for row in rows}


def templates_for_system(system) -> list[AssessmentTemplate]:
    """Templates the current results' triggered obligations call for, plus voluntary templates
    (of every regime version the system is classified against, and of template-only content)."""
    wanted: list[AssessmentTemplate] = []
    seen: set[int] = set()
    versions: list[tuple[int, set[str]]] = []
    latest: dict[str, dict] = {}  # classification_current's choice, without its JSON columns
    for row in (
        ClassificationResult.objects.filter(system=system)
        .order_by("regime__code", "-computed_at", "-pk")
        .values("regime__code", "content_version_id", "applies", "details")
    ):
        latest.setdefault(row["regime__code"], row)
    for row in latest.values():
        keys = set((row["details"] or {}).get("templates") or []) if row["applies"] else set()
        versions.append((row["content_version_id"], keys))
    for cv_id in ContentVersion.objects.filter(data__applies_to_systems=False).values_list(
        "pk", flat=True
    ):
        versions.append((cv_id, set()))
    # One query for every version's templates (the system page drew one per version).
    by_version: dict[int, list[AssessmentTemplate]] = {}
    for template in (
        AssessmentTemplate.objects.filter(content_version__in=[cv_id for cv_id, _keys in versions])
        .select_related("content_version__regime")
        .defer("data", "content_version__data")  # the questions and the whole law: not needed here
        .order_by("pk")
    ):
        by_version.setdefault(template.content_version_id, []).append(template)
    for cv_id, keys in versions:
        for template in by_version.get(cv_id, []):
            if (template.key in keys or template.status == "voluntary") and template.pk not in seen:
                seen.add(template.pk)
                wanted.append(template)
    return wanted


def checklist_items_for_system(system) -> list[VendorChecklistItem]:
    """Checklist items the engine found applicable in the current results of regimes that apply."""
    items: list[VendorChecklistItem] = []
    for result in classification_current(system).values():
        if not result.applies:
            continue
        keys = (result.details or {}).get("checklist_items") or []
        qs = result.content_version.checklist_items.filter(key__in=keys).select_related(
            "content_version__regime"
        )
        items.extend(qs)
    return items


def regime_list(*, filters: Mapping[str, str] | None = None) -> QuerySet[Regime]:
    return RegimeFilter(filters or {}, queryset=Regime.objects.prefetch_related("versions")).qs


def classification_result_list(
    *, filters: Mapping[str, str] | None = None
) -> QuerySet[ClassificationResult]:
    qs = ClassificationResult.objects.select_related("system", "regime", "content_version")
    return ClassificationResultFilter(filters or {}, queryset=qs.order_by("-computed_at", "-pk")).qs


def content_version_get(*, regime_code: str, version: str) -> ContentVersion:
    return ContentVersion.objects.select_related("regime").get(
        regime__code=regime_code, version=version
    )


def deadline_filterset(
    *, filters: Mapping[str, str] | None = None, today: dt.date | None = None
) -> DeadlineFilter:
    """The FilterSet and its QuerySet together: the pages also echo the chosen values."""
    qs = (
        Deadline.objects.filter(cancelled_at__isnull=True)
        .select_related("system", "owner", "completed_by")
        .order_by("due_date", "pk")
    )
    return DeadlineFilter(filters or {}, queryset=qs, today=today)


def deadline_list(
    *, filters: Mapping[str, str] | None = None, today: dt.date | None = None
) -> QuerySet[Deadline]:
    """Deadlines filtered like the list page, the calendar and the API do alike."""
    return deadline_filterset(filters=filters, today=today).qs


def deadline_list_for_user(user) -> QuerySet[Deadline]:
    """A user's ICS feed: what they own, plus unassigned deadlines of their systems or of nobody's."""
    unassigned = Q(owner__isnull=True) & (
        Q(system__isnull=True) | Q(system__owner=user) | Q(system__owner__isnull=True)
    )
    return deadline_list().filter(Q(owner=user) | unassigned)
