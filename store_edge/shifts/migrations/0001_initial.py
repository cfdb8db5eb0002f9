"""Shifts and cash movements leave the sales app for their own: the migration state moves, the
tables (sales_*) stay as they are, with their rows."""

import uuid

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
                    name="Shift",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("cashier", models.CharField(max_length=16)),
                        ("opened_at", models.DateTimeField()),
                        ("opening_float", models.DecimalField(decimal_places=2, max_digits=12)),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "counted_cash",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=12, null=True
                            ),
                        ),
                        (
                            "expected_cash",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=12, null=True
                            ),
                        ),
                        (
                            "lane",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="shifts",
                                to="lanes.lane",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sales_shift",
                        "ordering": ["-opened_at"],
                    },
                ),
                migrations.CreateModel(
                    name="CashMovement",
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
                        (
                            "kind",
                            models.CharField(
                                choices=[("paid_in", "paid in"), ("paid_out", "paid out")],
                                max_length=8,
                            ),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
                        ("reason", models.CharField(max_length=200)),
                        ("at", models.DateTimeField()),
                        (
                            "shift",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="cash_movements",
                                to="shifts.shift",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sales_cashmovement",
                    },
                ),
                migrations.AddConstraint(
                    model_name="shift",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("closed_at", None)),
                        fields=("lane",),
                        name="one_open_shift_per_lane",
                    ),
                ),
            ],
            database_operations=[],
        ),
        content_types_moved(models=["shift", "cashmovement"], old_app="sales", new_app="shifts"),
    ]
