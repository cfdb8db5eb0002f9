"""Staff members and the wrong PINs given leave the sales app for their own: the migration
state moves, the tables (sales_*) stay as they are, with their rows."""

import django.db.models.deletion
from django.db import migrations, models

from store_edge.moved_models import content_types_moved


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("sales", "0008_failed_pins"),
        ("lanes", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StaffMember",
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
                        ("code", models.CharField(max_length=16, unique=True)),
                        ("name", models.CharField(max_length=100)),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("cashier", "cashier"),
                                    ("supervisor", "supervisor"),
                                    ("manager", "manager"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("pin_hash", models.CharField(max_length=256)),
                        ("active", models.BooleanField(default=True)),
                        ("failed_pins", models.PositiveSmallIntegerField(default=0)),
                        ("locked_until", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "db_table": "sales_staffmember",
                    },
                ),
                migrations.CreateModel(
                    name="FailedPin",
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
                        ("at", models.DateTimeField()),
                        ("address", models.GenericIPAddressField(blank=True, null=True)),
                        ("code", models.CharField(max_length=16)),
                        (
                            "lane",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to="lanes.lane",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sales_failedpin",
                        "indexes": [
                            models.Index(fields=["lane", "at"], name="failedpin_lane_at"),
                            models.Index(fields=["address", "at"], name="failedpin_address_at"),
                            models.Index(fields=["at"], name="failedpin_at"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_types_moved(models=["staffmember", "failedpin"], old_app="sales", new_app="staff"),
    ]
