"""Lanes and their tokens leave the sales app for their own: the migration state moves, the
tables (sales_*) stay as they are, with their rows."""

import django.db.models.deletion
from django.db import migrations, models

from store_edge.moved_models import content_types_moved


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("sales", "0008_failed_pins"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Lane",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("number", models.PositiveSmallIntegerField(unique=True)),
                        ("name", models.CharField(blank=True, max_length=64)),
                    ],
                    options={
                        "db_table": "sales_lane",
                        "ordering": ["number"],
                    },
                ),
                migrations.CreateModel(
                    name="LaneToken",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("digest", models.CharField(max_length=64, unique=True)),
                        (
                            "prefix",
                            models.CharField(
                                help_text="first characters, to tell tokens apart", max_length=8
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "lane",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tokens",
                                to="lanes.lane",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sales_lanetoken",
                    },
                ),
            ],
            database_operations=[],
        ),
        content_types_moved(models=["lane", "lanetoken"], old_app="sales", new_app="lanes"),
    ]
