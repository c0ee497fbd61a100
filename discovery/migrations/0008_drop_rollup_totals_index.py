"""PostgreSQL only: drop 0003's covering index on the rollups.

The discovered-AI totals it served now come from the per-app summaries (0004-0007), so it only
cost every chunk's upsert one more index to write (133 MB at 1M rollups); the app page's per-app
queries use the (app_key, host) index.
"""

from django.db import migrations

INDEX = "discovery_rollup_totals_idx"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("discovery", "UsageRollup")._meta.db_table)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} (app_key, host, identity) "
        "INCLUDE (day, requests, bytes_up, bytes_down, first_seen, last_seen)"
    )


class Migration(migrations.Migration):
    dependencies = [("discovery", "0007_appusagetotal_backfill")]

    operations = [migrations.RunPython(drop, create)]
