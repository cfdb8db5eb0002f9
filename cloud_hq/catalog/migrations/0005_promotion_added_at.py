import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def added_when_last_changed(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Promotions held before: their last change is the best record of when they came."""
    apps.get_model("hq_catalog", "Promotion").objects.update(added_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("hq_catalog", "0004_promotion_local_window"),
    ]

    operations = [
        migrations.AddField(
            model_name="promotion",
            name="added_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="when it was created or last withdrawn and brought back: stores "
                "add competing promotions in the order they went live",
            ),
        ),
        migrations.RunPython(added_when_last_changed, migrations.RunPython.noop),
    ]
