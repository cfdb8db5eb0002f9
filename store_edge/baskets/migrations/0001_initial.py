"""Baskets, their lines and payments leave the sales app for their own: the migration state
moves, the tables (sales_*) stay as they are, with their rows."""

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
                    name="Basket",
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
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "open"),
                                    ("suspended", "suspended"),
                                    ("completed", "completed"),
                                ],
                                default="open",
                                max_length=16,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("member_card", models.CharField(blank=True, max_length=32)),
                        ("coupons", models.JSONField(blank=True, default=list)),
                        (
                            "lane",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="baskets",
                                to="lanes.lane",
                            ),
                        ),
                        (
                            "sale",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="basket",
                                to="sales.sale",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sales_basket",
                    },
                ),
                migrations.CreateModel(
                    name="BasketLine",
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
                        ("position", models.PositiveIntegerField()),
                        ("sku", models.CharField(max_length=32)),
                        ("name", models.CharField(max_length=200)),
                        (
                            "code",
                            models.CharField(help_text="the code scanned or typed", max_length=32),
                        ),
                        ("quantity", models.DecimalField(decimal_places=3, max_digits=12)),
                        (
                            "weight_kg",
                            models.DecimalField(
                                blank=True, decimal_places=3, max_digits=9, null=True
                            ),
                        ),
                        ("unit_price", models.DecimalField(decimal_places=2, max_digits=12)),
                        ("tax_class", models.CharField(max_length=16)),
                        ("tax_rate", models.DecimalField(decimal_places=4, max_digits=6)),
                        ("tax_inclusive", models.BooleanField()),
                        ("category", models.CharField(blank=True, max_length=64)),
                        (
                            "embedded_price",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                help_text="printed in the barcode",
                                max_digits=12,
                                null=True,
                            ),
                        ),
                        (
                            "override_price",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=12, null=True
                            ),
                        ),
                        (
                            "discount_percent",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=5, null=True
                            ),
                        ),
                        (
                            "discount_amount",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=12, null=True
                            ),
                        ),
                        ("change_reason", models.CharField(blank=True, max_length=200)),
                        ("approved_by", models.CharField(blank=True, max_length=16)),
                        (
                            "basket",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="lines",
                                to="baskets.basket",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sales_basketline",
                        "ordering": ["position"],
                    },
                ),
                migrations.CreateModel(
                    name="BasketPayment",
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
                        (
                            "method",
                            models.CharField(
                                choices=[("cash", "cash"), ("card", "card (external terminal)")],
                                max_length=16,
                            ),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
                        ("terminal_reference", models.CharField(blank=True, max_length=32)),
                        ("card_last4", models.CharField(blank=True, max_length=4)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "basket",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="payments",
                                to="baskets.basket",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sales_basketpayment",
                        "ordering": ["created_at"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("amount__gt", 0)), name="payment_amount_gt_0"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_types_moved(
            models=["basket", "basketline", "basketpayment"], old_app="sales", new_app="baskets"
        ),
    ]
