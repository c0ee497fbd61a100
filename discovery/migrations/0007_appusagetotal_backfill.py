"""Fill the all-time per-app totals from the rollups already stored (as 0005 does for the rest)."""

from django.db import migrations


def _tables(apps, schema_editor) -> tuple[str, str]:
    quote = schema_editor.quote_name
    return tuple(
        quote(apps.get_model("discovery", name)._meta.db_table)
        for name in ("UsageRollup", "AppUsageTotal")
    )


def backfill(apps, schema_editor):
    rollups, totals = _tables(apps, schema_editor)
    schema_editor.execute(f"DELETE FROM {totals}")
    schema_editor.execute(
        f"INSERT INTO {totals} "
        "(app_key, host, requests, bytes_up, bytes_down, users, first_seen, last_seen) "
        "SELECT app_key, host, SUM(requests), SUM(bytes_up), SUM(bytes_down), "
        "COUNT(DISTINCT NULLIF(identity, '')), MIN(first_seen), MAX(last_seen) "
        f"FROM {rollups} GROUP BY app_key, host"
    )


def empty(apps, schema_editor):
    _rollups, totals = _tables(apps, schema_editor)
    schema_editor.execute(f"DELETE FROM {totals}")


class Migration(migrations.Migration):
    dependencies = [("discovery", "0006_appusagetotal")]

    operations = [migrations.RunPython(backfill, empty)]
