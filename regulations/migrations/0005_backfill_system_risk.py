"""Fill the inventory's risk projection from the current results (later runs keep it current)."""

from django.db import migrations

ORDER = ["prohibited", "high", "limited", "minimal", "not_applicable"]


def token(result) -> str:
    if result.risk_tier == "prohibited":
        return "prohibited"
    if not result.applies:
        return "not_applicable"
    if result.high_risk:
        return "high"
    return result.risk_tier or "not_applicable"


def backfill(apps, schema_editor):
    Result = apps.get_model("regulations", "ClassificationResult")
    AISystem = apps.get_model("inventory", "AISystem")
    latest: dict[int, dict[str, str]] = {}
    seen: set[tuple[int, int]] = set()
    rows = (
        Result.objects.select_related("regime")
        .order_by("system_id", "regime_id", "-computed_at", "-pk")
        .iterator()
    )
    for row in rows:
        key = (row.system_id, row.regime_id)
        if key in seen:
            continue
        seen.add(key)
        latest.setdefault(row.system_id, {})[row.regime.code] = token(row)
    for system_id, tiers in latest.items():
        tokens = sorted(set(tiers.values())) + sorted(f"{c}:{t}" for c, t in tiers.items())
        highest = min(tiers.values(), key=lambda t: ORDER.index(t) if t in ORDER else 99)
        AISystem.objects.filter(pk=system_id).update(risk_tier=highest, risk_tiers=tokens)


class Migration(migrations.Migration):
    dependencies = [
        ("regulations", "0004_result_next_change_on"),
        ("inventory", "0004_intake_and_risk"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
