"""Reads of the regulations app, including the ones other apps call (interfaces item 4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTextTransform

from regulations.filters import (
    STATUSES,
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
    Obligation,
    Organisation,
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


def regime_choices() -> list[tuple[str, str]]:
    """Every loaded regime, voluntary frameworks included, as (code, name) for a scope picker."""
    return list(Regime.objects.order_by("code").values_list("code", "name"))


def regime_get(*, code: str) -> Regime | None:
    return Regime.objects.filter(code=code).first() if code else None


def regime_list_scoped(*, code: str = "") -> list[Regime]:
    """All regimes in code order, or only the one with `code` ('' means all)."""
    qs = Regime.objects.order_by("code")
    return list(qs.filter(code=code) if code else qs)


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


def deadline_status_label(status: str) -> str:
    return STATUSES.get(status, status.replace("_", " ").capitalize())


def deadline_status_at(deadline: Deadline, *, end: dt.datetime, on: dt.date) -> str:
    """Status as it stood at `end` (a later completion does not count), in the list page's words."""
    if deadline.completed_at and deadline.completed_at < end:
        return "done"
    return deadline.due_status(on)


def deadline_list_for_systems(
    *, system_ids: list[int], regime_codes: list[str]
) -> QuerySet[Deadline]:
    return (
        Deadline.objects.filter(system_id__in=system_ids, regime_code__in=regime_codes)
        .select_related("completed_by")
        .order_by("due_date", "pk")
    )


# --- As of a date: what an evidence pack shows for its period --------------------------------


def organisation_get() -> Organisation | None:
    """The profile if one was recorded; a read never creates the singleton."""
    return Organisation.objects.filter(pk=1).first()


def classification_latest_before(
    *, system_ids: list[int], regime_ids: list[int], before: dt.datetime
) -> dict[tuple[int, int], ClassificationResult]:
    """(system id, regime id) -> the latest result computed before `before`."""
    results = (
        ClassificationResult.objects.filter(
            system_id__in=system_ids, regime_id__in=regime_ids, computed_at__lt=before
        )
        .select_related("regime", "content_version")
        .order_by("system_id", "regime__code", "-computed_at", "-pk")
    )
    latest: dict[tuple[int, int], ClassificationResult] = {}
    for result in results.iterator(chunk_size=2000):
        latest.setdefault((result.system_id, result.regime_id), result)
    return latest


def override_list_before(
    *, system_ids: list[int], regime_ids: list[int], before: dt.datetime
) -> QuerySet[ManualOverride]:
    """Overrides recorded before `before`, oldest first (withdrawn ones too: the history counts)."""
    return (
        ManualOverride.objects.filter(
            system_id__in=system_ids, regime_id__in=regime_ids, created_at__lt=before
        )
        .select_related("created_by", "withdrawn_by", "regime")
        .order_by("created_at")
    )


def content_version_list(*, regime_ids: list[int]) -> QuerySet[ContentVersion]:
    return ContentVersion.objects.filter(regime_id__in=regime_ids).select_related("regime")


def obligation_list(*, content_version_ids) -> QuerySet[Obligation]:
    return Obligation.objects.filter(content_version_id__in=content_version_ids)
