"""Monthly token and spend budgets per team and gateway key: set in Sightline or read from the
gateway's own budget table (LiteLLM), burned down from the gateway usage, with alerts at 80 %
and 100 % that fire once per budget, month and threshold."""

import calendar
import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from core.audit import audit_record, create_audited, snapshot, update_audited
from discovery.models import Finding, IngestRun, ModelUsageDay, UsageBudget
from discovery.services.findings import finding_upsert

THRESHOLDS = (80, 100)
_FIELDS = ["scope", "name", "monthly_tokens", "monthly_spend", "model_allowlist", "origin",
           "tpm_limit", "rpm_limit"]  # fmt: skip
# LiteLLM model names that mean "every model the proxy (or team) has": no allowlist.
ALL_MODELS = {"all-proxy-models", "all-team-models", "*"}
_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w|mo)\s*$", re.I)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MONTH_SECONDS = 30 * 86400


def _usage_filter(budget: UsageBudget) -> dict[str, str]:
    return (
        {"team": budget.name}
        if budget.scope == UsageBudget.Scope.TEAM
        else {"key_alias": budget.name}
    )


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _percent(used, limit) -> float | None:
    if not limit:
        return None
    return round(float(Decimal(used) * 100 / Decimal(limit)), 1)


@dataclass(frozen=True)
class BudgetBurn:
    """A budget's month: what was used, the share of each limit, and the month-end projection
    at the pace so far (the share is the larger of the token and the spend share)."""

    month: dt.date
    used_tokens: int
    used_spend: Decimal
    tokens_percent: float | None
    spend_percent: float | None
    percent: float | None
    projected_tokens: int
    projected_spend: Decimal
    projected_percent: float | None
    days_elapsed: int
    days_in_month: int


def budget_burn(budget: UsageBudget, month: dt.date, *, today: dt.date | None = None) -> BudgetBurn:
    """Usage of the budget's team or key in `month` (any day of it) against its limits."""
    first = month_start(month)
    last = _month_end(first)
    totals = ModelUsageDay.objects.filter(
        day__gte=first, day__lte=last, **_usage_filter(budget)
    ).aggregate(i=Sum("input_tokens"), o=Sum("output_tokens"), c=Sum("cost"))
    tokens = (totals["i"] or 0) + (totals["o"] or 0)
    spend = Decimal(totals["c"] or 0).quantize(Decimal("0.000001"))
    today = today or timezone.localdate()
    if today > last:
        elapsed = last.day
    elif today < first:
        elapsed = 0
    else:
        elapsed = today.day
    if elapsed and elapsed < last.day:
        projected_tokens = round(tokens * last.day / elapsed)
        projected_spend = (spend * last.day / elapsed).quantize(Decimal("0.01"))
    else:
        projected_tokens, projected_spend = tokens, spend
    tp, sp = _percent(tokens, budget.monthly_tokens), _percent(spend, budget.monthly_spend)
    ptp = _percent(projected_tokens, budget.monthly_tokens)
    psp = _percent(projected_spend, budget.monthly_spend)
    shares = [p for p in (tp, sp) if p is not None]
    projected = [p for p in (ptp, psp) if p is not None]
    return BudgetBurn(
        month=first,
        used_tokens=tokens,
        used_spend=spend,
        tokens_percent=tp,
        spend_percent=sp,
        percent=max(shares) if shares else None,
        projected_tokens=projected_tokens,
        projected_spend=projected_spend,
        projected_percent=max(projected) if projected else None,
        days_elapsed=elapsed,
        days_in_month=last.day,
    )


def _check_limits(budget: UsageBudget) -> None:
    errors = {}
    for name in ("monthly_tokens", "tpm_limit", "rpm_limit"):
        value = getattr(budget, name)
        if value is not None and value <= 0:
            errors[name] = "Must be a positive number."
    if budget.monthly_spend is not None and budget.monthly_spend < 0:
        errors["monthly_spend"] = "Must not be negative."
    if not isinstance(budget.model_allowlist, list) or not all(
        isinstance(p, str) and p.strip() for p in budget.model_allowlist
    ):
        errors["model_allowlist"] = "Expected a list of model name patterns."
    if not (budget.name or "").strip():
        errors["name"] = "Name the team or the key alias."
    if (
        budget.monthly_tokens is None
        and budget.monthly_spend is None
        and not budget.model_allowlist
        and budget.tpm_limit is None
        and budget.rpm_limit is None
    ):
        errors["__all__"] = "Give a monthly token budget, a monthly spend budget or both."
    if errors:
        raise ValidationError(errors)


def _budget_write(
    *, actor, scope: str, name: str, values: dict[str, Any]
) -> tuple[UsageBudget, str]:
    """Create the one budget of (scope, name) or update the fields given; ('created'|'updated'|
    'unchanged'). A budget's row is locked while it is written."""
    name = (name or "").strip()[:200]
    if scope not in UsageBudget.Scope.values:
        raise ValidationError({"scope": f"Unknown scope {scope!r}: team or key."})
    budget = UsageBudget.objects.select_for_update().filter(scope=scope, name=name).first()
    if budget is None:
        budget = UsageBudget(scope=scope, name=name, **values)
        _check_limits(budget)
        try:
            with transaction.atomic():
                create_audited(
                    budget, actor=actor, action="discovery.budget.create", fields=_FIELDS
                )
        except IntegrityError as exc:  # created by someone else between the check and the insert
            raise ValidationError(
                {"name": "A budget for this team or key was just created: edit that one."}
            ) from exc
        return budget, "created"
    before = snapshot(budget, _FIELDS)
    for key, value in values.items():
        setattr(budget, key, value)
    _check_limits(budget)
    changes = update_audited(
        budget, actor=actor, action="discovery.budget.update", before=before, fields=_FIELDS
    )
    return budget, "updated" if changes else "unchanged"


@transaction.atomic
def budget_set(
    *,
    actor,
    scope: str,
    name: str,
    monthly_tokens: int | None = None,
    monthly_spend: Decimal | float | str | None = None,
    model_allowlist: list[str] | None = None,
) -> UsageBudget:
    """Budgets are access control: each one set or changed leaves an audit entry."""
    spend = None if monthly_spend in (None, "") else _decimal(monthly_spend, "monthly_spend")
    budget, _ = _budget_write(
        actor=actor,
        scope=scope,
        name=name,
        values={
            "monthly_tokens": monthly_tokens,
            "monthly_spend": spend,
            "model_allowlist": [p.strip() for p in (model_allowlist or []) if p and p.strip()],
            "origin": UsageBudget.Origin.SIGHTLINE,
        },
    )
    return budget


def _decimal(value: Any, name: str) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({name: f"'{value}' is not an amount."}) from exc


# ---- LiteLLM budget import ---------------------------------------------------------------


@dataclass
class BudgetImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    reasons: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


def _rows(content: bytes) -> list[Any]:
    """A JSON array of table rows, an object holding them (by table name, or as the proxy's
    /team/list and /key/list answers: teams, keys, data), or JSON lines."""
    text = content.decode("utf-8-sig", errors="replace").strip()
    if not text:
        raise ValidationError("The budget export is empty.")
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                if number == 1:
                    raise ValidationError(
                        "The budget export is not JSON: expected LiteLLM_TeamTable or "
                        "LiteLLM_VerificationToken rows as a JSON array or JSON lines."
                    ) from exc
                rows.append(None)  # counted as a skipped row
        return rows
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        rows = []
        found = False
        for key in ("LiteLLM_TeamTable", "LiteLLM_VerificationToken", "teams", "keys", "data"):
            if isinstance(document.get(key), list):
                rows += document[key]
                found = True
        if found:
            return rows
        if "team_info" in document and isinstance(document["team_info"], dict):
            return [document["team_info"]]
        return [document]
    raise ValidationError("The budget export must hold team or key rows.")


def _duration_factor(duration: Any) -> float | None:
    """How many of this reset period fit in a month (a 30-day month; '1mo' is one)."""
    text = str(duration or "").strip().lower()
    if text in {"monthly", "1mo", "30d", "1month"}:
        return 1.0
    match = _DURATION.match(text)
    if not match:
        return None
    count, unit = int(match.group(1)), match.group(2).lower()
    if not count:
        return None
    if unit == "mo":
        return 1.0 / count
    return MONTH_SECONDS / (count * _SECONDS[unit])


def _positive_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    number = int(float(value))
    return number if number > 0 else None


def _gateway_budget(row: Any) -> tuple[str, str, dict[str, Any], str]:
    """(scope, name, values, note) of one table row; ValueError names the reason to skip it."""
    if not isinstance(row, dict):
        raise ValueError("not a JSON object")
    is_key = "token" in row or "key_alias" in row or "key_name" in row
    if is_key:
        name = str(row.get("key_alias") or "").strip()
        if not name and row.get("token"):
            name = "key:" + str(row["token"])[:12]  # how the spend logs name an unaliased key
        scope = UsageBudget.Scope.KEY
    elif "team_id" in row or "team_alias" in row:
        name = str(row.get("team_alias") or row.get("team_id") or "").strip()
        scope = UsageBudget.Scope.TEAM
    else:
        raise ValueError("neither a team nor a key row")
    if not name:
        raise ValueError("no team alias, team id, key alias or token")
    note = ""
    values: dict[str, Any] = {"origin": UsageBudget.Origin.GATEWAY}
    try:
        values["tpm_limit"] = _positive_int(row.get("tpm_limit"))
        values["rpm_limit"] = _positive_int(row.get("rpm_limit"))
        max_budget = row.get("max_budget")
        if max_budget not in (None, ""):
            amount = Decimal(str(max_budget))
            if amount < 0 or not amount.is_finite():
                raise ValueError("max_budget is negative")
            factor = _duration_factor(row.get("budget_duration"))
            if factor is None:
                if row.get("budget_duration"):
                    raise ValueError("unknown budget_duration")
                note = f"{name}: no budget_duration (a budget that never resets), taken as monthly"
                factor = 1.0
            values["monthly_spend"] = (amount * Decimal(str(factor))).quantize(Decimal("0.01"))
        else:
            values["monthly_spend"] = None
    except (InvalidOperation, TypeError) as exc:
        raise ValueError("max_budget, tpm_limit or rpm_limit is not a number") from exc
    models = row.get("models") or []
    if isinstance(models, str):
        models = [m for m in models.strip("{}").split(",") if m]  # a PostgreSQL array as text
    if not isinstance(models, list):
        raise ValueError("models is not a list")
    models = [str(m).strip().strip('"') for m in models if str(m).strip()]
    values["model_allowlist"] = [] if set(models) & ALL_MODELS else models
    if (
        values["monthly_spend"] is None
        and values["tpm_limit"] is None
        and values["rpm_limit"] is None
        and not values["model_allowlist"]
    ):
        raise ValueError("no budget, rate limit or model list")
    return scope, name, values, note


@transaction.atomic
def litellm_budgets_import(*, actor, content: bytes, filename: str) -> BudgetImportResult:
    """Reads LiteLLM_TeamTable / LiteLLM_VerificationToken rows (max_budget per budget_duration,
    tpm_limit, rpm_limit, models) into gateway budgets; a bad row is counted and skipped, and a
    token budget set in Sightline is kept (the gateway has none)."""
    result = BudgetImportResult()
    for row in _rows(content):
        result.rows += 1
        try:
            scope, name, values, note = _gateway_budget(row)
        except ValueError as exc:
            result.skipped += 1
            result.reasons[str(exc)] += 1
            continue
        try:
            with transaction.atomic():
                _, outcome = _budget_write(actor=actor, scope=scope, name=name, values=values)
        except ValidationError as exc:
            result.skipped += 1
            result.reasons["; ".join(exc.messages)[:120]] += 1
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
        if note:
            result.notes.append(note)
    audit_record(
        actor=actor,
        action="discovery.budget.import",
        target_type="discovery.usagebudget",
        target_repr=(filename or "LiteLLM export")[:300],
        changes={
            "created": [None, result.created],
            "updated": [None, result.updated],
            "skipped": [None, result.skipped],
        },
    )
    return result


# ---- alerts ------------------------------------------------------------------------------


def _alert_title(budget: UsageBudget, threshold: int, burn: BudgetBurn) -> str:
    parts = []
    if burn.tokens_percent is not None:
        parts.append(f"{burn.used_tokens:,} of {budget.monthly_tokens:,} tokens")
    if burn.spend_percent is not None:
        parts.append(f"{burn.used_spend:.2f} of {budget.monthly_spend:.2f} USD")
    return (
        f"Budget {threshold} % reached: {budget.get_scope_display().lower()} {budget.name} in "
        f"{burn.month:%Y-%m} ({', '.join(parts)})"
    )


def budget_alerts(
    *, run: IngestRun | None, touched: set[tuple[str, str, dt.date]]
) -> list[Finding]:
    """For each (scope, name, month) the batch added usage to: one finding per budget, month
    and threshold reached, opened once; while it is open its figures are kept current, and once
    decided it is never opened again for that month."""
    if not touched:
        return []
    names = {(scope, name) for scope, name, _ in touched}
    budgets = {
        (b.scope, b.name): b
        for b in UsageBudget.objects.filter(name__in={n for _, n in names})
        if (b.scope, b.name) in names
    }
    found = []
    for scope, name, month in sorted(touched):
        budget = budgets.get((scope, name))
        if budget is None or not (budget.monthly_tokens or budget.monthly_spend):
            continue
        burn = budget_burn(budget, month)
        for threshold in THRESHOLDS:
            if burn.percent is None or burn.percent < threshold:
                continue
            key = f"budget:{scope}:{name}:{burn.month:%Y-%m}:{threshold}"
            if (
                Finding.objects.filter(dedupe_key=key[:300])
                .exclude(state__in=Finding.OPEN_STATES)
                .exists()
            ):
                continue
            first = dt.datetime.combine(burn.month, dt.time(), tzinfo=dt.UTC)
            last_day = (
                ModelUsageDay.objects.filter(
                    day__gte=burn.month, day__lte=_month_end(burn.month), **_usage_filter(budget)
                )
                .order_by("-last_seen")
                .values_list("last_seen", flat=True)
                .first()
            )
            finding, _ = finding_upsert(
                kind=Finding.Kind.BUDGET,
                dedupe_key=key,
                severity="high" if threshold >= 100 else "medium",
                title=_alert_title(budget, threshold, burn),
                first_seen=first,
                last_seen=last_day or first,
                evidence={
                    "budget": budget.pk,
                    "scope": scope,
                    "name": name,
                    "month": f"{burn.month:%Y-%m}",
                    "threshold": threshold,
                    "used_tokens": burn.used_tokens,
                    "used_spend": str(burn.used_spend),
                    "monthly_tokens": budget.monthly_tokens,
                    "monthly_spend": str(budget.monthly_spend) if budget.monthly_spend else None,
                    "tokens_percent": burn.tokens_percent,
                    "spend_percent": burn.spend_percent,
                    "percent": burn.percent,
                    "origin": budget.origin,
                },
                run=run,
                principal=name,
                replace=True,
            )
            found.append(finding)
    return found
