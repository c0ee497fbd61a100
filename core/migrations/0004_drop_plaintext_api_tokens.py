"""DRF's authtoken table kept API tokens in plain text; knox keeps digests, so it goes, tokens and all
(their holders get a new one from /api/token/ or the API tokens page)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("core", "0003_notification_preference")]

    operations = [
        migrations.RunSQL('DROP TABLE IF EXISTS "authtoken_token"', migrations.RunSQL.noop),
    ]
