"""PostgreSQL only: drop 0003's covering index on the rollups (0003 run backwards).

The discovered-AI totals it served now come from the per-app summaries (0004-0007), so it only
cost every chunk's upsert one more index to write (133 MB at 1M rollups); the app page's per-app
queries use the (app_key, host) index.
"""

from importlib import import_module

from django.db import migrations

totals_index = import_module("discovery.migrations.0003_usagerollup_totals_index")


class Migration(migrations.Migration):
    dependencies = [("discovery", "0007_appusagetotal_backfill")]

    operations = [migrations.RunPython(totals_index.drop, totals_index.create)]
