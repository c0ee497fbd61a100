"""Fill the per-app summaries from the rollups already stored; ingestion keeps them current after.

Plain INSERT ... SELECT ... GROUP BY (the same on PostgreSQL and SQLite), so a 1M-rollup table is
summarised by the database in one pass instead of being loaded into Python.
"""

from django.db import migrations


def _tables(apps, schema_editor) -> tuple[str, str, str]:
    quote = schema_editor.quote_name
    return tuple(
        quote(apps.get_model("discovery", name)._meta.db_table)
        for name in ("UsageRollup", "AppUsageDay", "AppIdentity")
    )


def backfill(apps, schema_editor):
    rollups, days, identities = _tables(apps, schema_editor)
    schema_editor.execute(f"DELETE FROM {days}")
    schema_editor.execute(f"DELETE FROM {identities}")
    schema_editor.execute(
        f"INSERT INTO {days} "
        "(app_key, host, day, requests, bytes_up, bytes_down, first_seen, last_seen) "
        "SELECT app_key, host, day, SUM(requests), SUM(bytes_up), SUM(bytes_down), "
        f"MIN(first_seen), MAX(last_seen) FROM {rollups} GROUP BY app_key, host, day"
    )
    schema_editor.execute(
        f"INSERT INTO {identities} (app_key, host, identity, last_day) "
        f"SELECT app_key, host, identity, MAX(day) FROM {rollups} "
        "WHERE identity <> '' GROUP BY app_key, host, identity"
    )


def empty(apps, schema_editor):
    _rollups, days, identities = _tables(apps, schema_editor)
    schema_editor.execute(f"DELETE FROM {days}")
    schema_editor.execute(f"DELETE FROM {identities}")


class Migration(migrations.Migration):
    dependencies = [("discovery", "0004_usage_summary")]

    operations = [migrations.RunPython(backfill, empty)]
