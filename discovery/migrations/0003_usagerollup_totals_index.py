"""PostgreSQL only: a covering index so the discovered-AI totals are an index-only scan.

The page sums every rollup grouped by (app_key, host) with COUNT(DISTINCT identity). The unique
index already gives that order but costs one heap visit per row (about 300 ms for 200k rollups
on the seeded load-test database); this index answers the query from the index alone (about
125 ms), `day` included so the "since" filter stays index-only. SQLite has no INCLUDE and a Meta
index with `include` fails `check` (W040) there, hence SQL guarded by the database vendor.
"""

from django.db import migrations

INDEX = "discovery_rollup_totals_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("discovery", "UsageRollup")._meta.db_table)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON {table} (app_key, host, identity) "
        "INCLUDE (day, requests, bytes_up, bytes_down, first_seen, last_seen)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("discovery", "0002_discoveredapp_nullable_seen")]

    operations = [migrations.RunPython(create, drop)]
