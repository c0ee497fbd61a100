"""PostgreSQL only: trigram indexes for the inventory's free-text search.

The search is `icontains` over name, description and team, which Django writes as
`UPPER(col::text) LIKE UPPER('%…%')`; without an index every query read each system's
description (about 25 ms of a 10k-system inventory per search). GIN trigram indexes on those
expressions answer it from the index. pg_trgm is a trusted extension: a database owner may
create it. Where it cannot be created the search still works, unindexed; SQLite has neither.
"""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)
COLUMNS = ("name", "description", "team")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("inventory", "AISystem")._meta.db_table
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        log.warning("pg_trgm is not available (%s); the inventory search stays unindexed", exc)
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {schema_editor.quote_name(table)} "
            f"USING gin (UPPER({schema_editor.quote_name(column)}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("inventory", "AISystem")._meta.db_table
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
