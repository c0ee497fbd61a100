from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0004_intake_and_risk"),
    ]

    operations = [
        migrations.RenameField(model_name="aisystem", old_name="needs_facts", new_name="intake_pending"),
        migrations.AlterField(
            model_name="aisystem",
            name="intake_pending",
            field=models.BooleanField(
                db_index=True,
                default=False,
                help_text="Entered the inventory from discovery: it needs facts (and is not classified) until the intake's required facts are set.",
            ),
        ),
    ]
