"""Figures for the dashboard, computed from the current results and open deadlines."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.utils import timezone

from inventory.lookups import ListHasAny
from inventory.models import AISystem
from regulations.models import ClassificationResult, Deadline, Regime
from regulations.models.classification import RiskTier

TIERS = [
    RiskTier.PROHIBITED,
    RiskTier.HIGH,
    RiskTier.LIMITED,
    RiskTier.MINIMAL,
    RiskTier.NOT_APPLICABLE,
]


def current_results() -> list[ClassificationResult]:
    """The latest result per (system, regime)."""
    seen: set[tuple[int, int]] = set()
    latest = []
    rows = (
        ClassificationResult.objects.select_related("regime", "system")
        .order_by("system_id", "regime_id", "-computed_at", "-pk")
        .only(
            "id",
            "system_id",
            "regime_id",
            "regime__code",
            "regime__name",
            "system__name",
            "applies",
            "risk_tier",
            "high_risk",
            "pending_from",
            "triggered_obligations",
            "computed_at",
        )
    )
    for row in rows:
        key = (row.system_id, row.regime_id)
        if key not in seen:
            seen.add(key)
            latest.append(row)
    return latest


def changed_on(day: dt.date) -> list[dict]:
    """Results whose outcome changed on `day` (a fact edit, new content, or a start date reached)."""
    rows = (
        ClassificationResult.objects.filter(computed_at__date=day, previous__isnull=False)
        .select_related("system", "regime", "previous")
        .only(
            "id",
            "system__name",
            "regime__code",
            "outcome",
            "outcome_label",
            "headline",
            "pending_from",
            "computed_at",
            "previous__outcome",
            "previous__outcome_label",
            "previous__headline",
            "previous__pending_from",
        )
        .order_by("-computed_at", "-pk")
    )
    out = []
    for row in rows[:50]:
        old = row.previous
        if (old.outcome, old.outcome_label, old.pending_from) == (
            row.outcome,
            row.outcome_label,
            row.pending_from,
        ):
            continue
        out.append(
            {
                "system": row.system,
                "regime": row.regime.code,
                "was": old.headline or old.outcome_label,
                "now": row.headline or row.outcome_label,
            }
        )
    return out


def dashboard_data(*, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    needs_facts = set(
        AISystem.objects.filter(AISystem.needs_facts_q()).values_list("pk", flat=True)
    )
    # A system in intake is not classified: results from before it needed facts are not counted.
    results = [r for r in current_results() if r.system_id not in needs_facts]
    by_regime: dict[int, list[ClassificationResult]] = defaultdict(list)
    for row in results:
        by_regime[row.regime_id].append(row)
    open_deadlines = Deadline.objects.filter(completed_at__isnull=True, cancelled_at__isnull=True)
    regimes = []
    chart = {
        "labels": [],
        "tiers": [str(t.label) for t in TIERS],
        "keys": [str(t) for t in TIERS],
        "series": [],
    }
    counts_per_tier = {str(t): [] for t in TIERS}
    for regime in Regime.objects.all():
        rows = by_regime.get(regime.pk, [])
        if not rows and not regime.versions.exclude(data__applies_to_systems=False).exists():
            continue  # template-only content (e.g. voluntary frameworks) classifies nothing
        in_scope = [r for r in rows if r.applies]
        tiers = Counter(r.risk_tier for r in rows)
        regimes.append(
            {
                "regime": regime,
                "classified": len(rows),
                "in_scope": len(in_scope),
                "high_risk": sum(1 for r in in_scope if r.high_risk),
                "high_risk_pending": sum(
                    1 for r in in_scope if r.high_risk and r.pending_from and r.pending_from > today
                ),
                "prohibited": tiers.get(RiskTier.PROHIBITED, 0),
                "open_obligations": sum(len(r.triggered_obligations) for r in in_scope),
                "overdue": open_deadlines.filter(
                    regime_code=regime.code, due_date__lt=today
                ).count(),
                "next_deadlines": list(
                    open_deadlines.filter(regime_code=regime.code, due_date__gte=today)
                    .select_related("system")
                    .order_by("due_date")[:3]
                ),
            }
        )
        chart["labels"].append(regime.code.upper())
        for tier in TIERS:
            counts_per_tier[str(tier)].append(tiers.get(tier, 0))
    chart["series"] = [counts_per_tier[str(t)] for t in TIERS]
    upcoming = list(
        open_deadlines.filter(due_date__gte=today).select_related("system").order_by("due_date")[:8]
    )
    return {
        "regimes": regimes,
        "chart": chart,
        "upcoming": upcoming,
        "overdue_total": open_deadlines.filter(due_date__lt=today).count(),
        "due_30_total": open_deadlines.filter(
            due_date__gte=today, due_date__lte=today + dt.timedelta(days=30)
        ).count(),
        "systems_classified": len({r.system_id for r in results} - needs_facts),
        "needs_facts_total": len(needs_facts),
        # The same projection the inventory filters on, so each number is its list's length.
        "high_risk_total": AISystem.objects.filter(ListHasAny("risk_tiers", ["high"])).count(),
        "prohibited_total": AISystem.objects.filter(
            ListHasAny("risk_tiers", ["prohibited"])
        ).count(),
        "changed_today": changed_on(today),
        "today": today,
    }
