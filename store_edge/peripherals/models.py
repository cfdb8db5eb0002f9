"""The scanners and scales of each lane, as the store manager set them up.

The tables keep the names they had when these models were part of the sales app (`sales_*`):
no row moved when the app was split.
"""

from django.db import models


class DeviceKind(models.TextChoices):
    SCALE = "scale", "scale"
    SCANNER = "scanner", "scanner"


class DeviceProtocol(models.TextChoices):
    TOLEDO_8217 = "toledo8217", "Mettler Toledo 8217 (serial)"
    NCI = "nci", "NCI / Weigh-Tronix SCP-02 (serial)"
    SICS = "sics", "MT-SICS (serial)"
    MODBUS_TCP = "modbus_tcp", "Modbus TCP indicator"
    MODBUS_RTU = "modbus_rtu", "Modbus RTU indicator (serial)"
    SERIAL_SCANNER = "serial_scanner", "serial scanner"


class LaneDevice(models.Model):
    """A scanner or scale of a lane, as the store manager set it up; the device gateway
    (`manage.py run_devices`) owns its port."""

    lane = models.ForeignKey("lanes.Lane", on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(max_length=8, choices=DeviceKind.choices)
    protocol = models.CharField(max_length=16, choices=DeviceProtocol.choices)
    port = models.CharField(max_length=200, help_text="/dev/ttyUSB0, or host:port for Modbus TCP")
    baudrate = models.PositiveIntegerField(null=True, blank=True)
    bytesize = models.PositiveSmallIntegerField(null=True, blank=True, choices=[(7, 7), (8, 8)])
    parity = models.CharField(
        max_length=1, blank=True, choices=[("N", "N"), ("E", "E"), ("O", "O")]
    )
    stopbits = models.PositiveSmallIntegerField(null=True, blank=True, choices=[(1, 1), (2, 2)])
    options = models.JSONField(
        default=dict, blank=True, help_text="prefix/suffix for scanners; register map for Modbus"
    )
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "sales_lanedevice"
        ordering = ["lane__number", "kind"]

    def __str__(self) -> str:
        return f"{self.lane} {self.kind} ({self.protocol} on {self.port})"
