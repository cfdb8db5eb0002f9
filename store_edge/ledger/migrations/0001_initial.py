"""The ledger leaves the inventory app for its own: the migration state moves, the tables
(inventory_*) stay as they are, with their rows and append-only triggers."""

import uuid

from django.db import migrations, models

from store_edge.moved_models import content_types_moved


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("inventory", "0006_alter_ledgerentry_kind"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Counter",
                    fields=[
                        (
                            "name",
                            models.CharField(max_length=32, primary_key=True, serialize=False),
                        ),
                        ("value", models.PositiveBigIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "inventory_counter",
                    },
                ),
                migrations.CreateModel(
                    name="LedgerCheckpoint",
                    fields=[
                        (
                            "last_seq",
                            models.PositiveBigIntegerField(primary_key=True, serialize=False),
                        ),
                        ("first_seq", models.PositiveBigIntegerField()),
                        ("entries", models.PositiveIntegerField()),
                        (
                            "digest",
                            models.CharField(
                                help_text="SHA-256 over the archived entries", max_length=64
                            ),
                        ),
                        ("previous_digest", models.CharField(blank=True, max_length=64)),
                        (
                            "stock",
                            models.JSONField(
                                help_text="stock per SKU after the last archived entry"
                            ),
                        ),
                        ("archive", models.CharField(max_length=300)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "inventory_ledgercheckpoint",
                    },
                ),
                migrations.CreateModel(
                    name="LedgerEntry",
                    fields=[
                        ("seq", models.PositiveBigIntegerField(primary_key=True, serialize=False)),
                        ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("sale_completed", "sale completed (document)"),
                                    ("sale", "sale (stock out)"),
                                    ("return", "return (stock back)"),
                                    ("void", "void of a sale (stock back)"),
                                    ("delivery", "delivery received"),
                                    ("count", "stock count (an absolute observation)"),
                                    ("adjustment", "adjustment"),
                                    ("waste", "waste"),
                                    ("transfer_out", "transfer out to another store"),
                                    ("transfer_in", "transfer in from another store"),
                                    ("return_completed", "return completed (document)"),
                                    ("shift_closed", "shift closed (Z report)"),
                                ],
                                max_length=32,
                            ),
                        ),
                        ("sku", models.CharField(blank=True, db_index=True, max_length=32)),
                        (
                            "quantity",
                            models.DecimalField(
                                blank=True, decimal_places=3, max_digits=14, null=True
                            ),
                        ),
                        ("document_type", models.CharField(max_length=32)),
                        ("document_id", models.UUIDField(db_index=True)),
                        ("payload", models.JSONField(default=dict)),
                        ("user", models.CharField(blank=True, max_length=150)),
                        ("created_at", models.DateTimeField()),
                        ("config_version", models.PositiveIntegerField()),
                    ],
                    options={
                        "verbose_name_plural": "ledger entries",
                        "db_table": "inventory_ledgerentry",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("quantity", 0), _negated=True),
                                    ("kind", "count"),
                                    _connector="OR",
                                ),
                                name="ledger_quantity_not_zero",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("seq__gte", 1)), name="ledger_seq_gte_1"
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_types_moved(
            models=["counter", "ledgercheckpoint", "ledgerentry"],
            old_app="inventory",
            new_app="ledger",
        ),
    ]
