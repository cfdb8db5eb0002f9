"""Lanes, staff, lane devices, baskets and shifts now belong to apps of their own (their
0001): only the state moves; the sales app keeps sales, their lines, tenders and taxes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0008_failed_pins"),
        ("lanes", "0001_initial"),
        ("staff", "0001_initial"),
        ("peripherals", "0001_initial"),
        ("shifts", "0001_initial"),
        ("baskets", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="basket",
                    name="lane",
                ),
                migrations.RemoveField(
                    model_name="basket",
                    name="sale",
                ),
                migrations.RemoveField(
                    model_name="basketline",
                    name="basket",
                ),
                migrations.RemoveField(
                    model_name="basketpayment",
                    name="basket",
                ),
                migrations.RemoveField(
                    model_name="cashmovement",
                    name="shift",
                ),
                migrations.RemoveField(
                    model_name="failedpin",
                    name="lane",
                ),
                migrations.RemoveField(
                    model_name="lanedevice",
                    name="lane",
                ),
                migrations.AlterField(
                    model_name="sale",
                    name="lane",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sales",
                        to="lanes.lane",
                    ),
                ),
                migrations.RemoveField(
                    model_name="shift",
                    name="lane",
                ),
                migrations.RemoveField(
                    model_name="lanetoken",
                    name="lane",
                ),
                migrations.AlterField(
                    model_name="sale",
                    name="shift",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sales",
                        to="shifts.shift",
                    ),
                ),
                migrations.DeleteModel(
                    name="StaffMember",
                ),
                migrations.DeleteModel(
                    name="BasketLine",
                ),
                migrations.DeleteModel(
                    name="Basket",
                ),
                migrations.DeleteModel(
                    name="BasketPayment",
                ),
                migrations.DeleteModel(
                    name="CashMovement",
                ),
                migrations.DeleteModel(
                    name="FailedPin",
                ),
                migrations.DeleteModel(
                    name="LaneDevice",
                ),
                migrations.DeleteModel(
                    name="Lane",
                ),
                migrations.DeleteModel(
                    name="LaneToken",
                ),
                migrations.DeleteModel(
                    name="Shift",
                ),
            ],
            database_operations=[],
        ),
    ]
