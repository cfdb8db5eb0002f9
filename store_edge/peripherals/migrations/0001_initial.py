"""The lanes' devices leave the sales app for their own: the migration state moves, the
tables (sales_*) stay as they are, with their rows."""

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
                    name="LaneDevice",
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
                                choices=[("scale", "scale"), ("scanner", "scanner")], max_length=8
                            ),
                        ),
                        (
                            "protocol",
                            models.CharField(
                                choices=[
                                    ("toledo8217", "Mettler Toledo 8217 (serial)"),
                                    ("nci", "NCI / Weigh-Tronix SCP-02 (serial)"),
                                    ("sics", "MT-SICS (serial)"),
                                    ("modbus_tcp", "Modbus TCP indicator"),
                                    ("modbus_rtu", "Modbus RTU indicator (serial)"),
                                    ("serial_scanner", "serial scanner"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "port",
                            models.CharField(
                                help_text="/dev/ttyUSB0, or host:port for Modbus TCP",
                                max_length=200,
                            ),
                        ),
                        ("baudrate", models.PositiveIntegerField(blank=True, null=True)),
                        (
                            "bytesize",
                            models.PositiveSmallIntegerField(
                                blank=True, choices=[(7, 7), (8, 8)], null=True
                            ),
                        ),
                        (
                            "parity",
                            models.CharField(
                                blank=True,
                                choices=[("N", "N"), ("E", "E"), ("O", "O")],
                                max_length=1,
                            ),
                        ),
                        (
                            "stopbits",
                            models.PositiveSmallIntegerField(
                                blank=True, choices=[(1, 1), (2, 2)], null=True
                            ),
                        ),
                        (
                            "options",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                help_text="prefix/suffix for scanners; register map for Modbus",
                            ),
                        ),
                        ("active", models.BooleanField(default=True)),
                        (
                            "lane",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="devices",
                                to="lanes.lane",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "sales_lanedevice",
                        "ordering": ["lane__number", "kind"],
                    },
                ),
            ],
            database_operations=[],
        ),
        content_types_moved(models=["lanedevice"], old_app="sales", new_app="peripherals"),
    ]
