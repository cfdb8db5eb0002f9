"""The devices of each lane, as the store manager set them up, and what waits for the
lane's receipt printer.

The tables keep the names they had when these models were part of the sales app (`sales_*`):
no row moved when the app was split.
"""

import uuid

from django.db import models


class DeviceKind(models.TextChoices):
    SCALE = "scale", "scale"
    SCANNER = "scanner", "scanner"
    PRINTER = "printer", "receipt printer (and the cash drawer on it)"
    TERMINAL = "terminal", "payment terminal"
    DISPLAY = "display", "pole display (facing the customer)"


class DeviceProtocol(models.TextChoices):
    TOLEDO_8217 = "toledo8217", "Mettler Toledo 8217 (serial)"
    NCI = "nci", "NCI / Weigh-Tronix SCP-02 (serial)"
    SICS = "sics", "MT-SICS (serial)"
    MODBUS_TCP = "modbus_tcp", "Modbus TCP indicator"
    MODBUS_RTU = "modbus_rtu", "Modbus RTU indicator (serial)"
    SERIAL_SCANNER = "serial_scanner", "serial scanner"
    ESCPOS = "escpos", "ESC/POS printer (raw TCP, USB or serial)"
    ZVT = "zvt", "ZVT payment terminal (TCP)"
    NEXO = "nexo", "nexo Sale-to-POI payment terminal (HTTPS)"
    ESCPOS_DISPLAY = "escpos_display", "ESC/POS customer display, 2x20 (serial)"


class LaneDevice(models.Model):
    """A scanner or scale of a lane, as the store manager set it up; the device gateway
    (`manage.py run_devices`) owns its port."""

    lane = models.ForeignKey("lanes.Lane", on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(max_length=8, choices=DeviceKind.choices)
    protocol = models.CharField(max_length=16, choices=DeviceProtocol.choices)
    port = models.CharField(
        max_length=200,
        help_text="/dev/ttyUSB0, /dev/usb/lp0, or host:port (Modbus, a printer)",
    )
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


class PrintJob(models.Model):
    """A receipt or a drawer kick for a lane's printer, kept until the printer has taken it.
    A print that fails never undoes a sale: the job is held, the cashier is told, and "Last
    receipt" prints it when the printer is back."""

    class State(models.TextChoices):
        QUEUED = "queued", "waiting for the printer"
        PRINTED = "printed", "printed"
        HELD = "held", "held: the printer could not print it"

    lane = models.ForeignKey("lanes.Lane", on_delete=models.CASCADE, related_name="print_jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    what = models.CharField(max_length=16, help_text="receipt, reprint or drawer")
    reference = models.CharField(max_length=64, blank=True, help_text="the sale's number")
    sale_id = models.UUIDField(null=True, blank=True, db_index=True)
    document = models.JSONField(default=dict, blank=True, help_text="the receipt, laid out")
    drawer = models.BooleanField(default=False, help_text="kick the cash drawer with it")
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    printed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["lane", "state"])]

    def __str__(self) -> str:
        return f"{self.what} {self.reference} on {self.lane} ({self.state})"


class TerminalPayment(models.Model):
    """A card payment (or refund, or the terminal's end of day) the till asked the lane's
    terminal for, and what came of it. The till sends the amount; the cashier types nothing.

    pending: waiting for the gateway; sent: the terminal has it (its outcome may be anything
    until it answers); approved / declined; unknown: the line broke or the answer timed out
    after the card may have been charged — the gateway asks the terminal for its last
    transaction before the lane takes any other payment; unresolved: still unknown, and a
    supervisor let the lane go on (reconciled with the terminal's end of day).
    """

    class State(models.TextChoices):
        PENDING = "pending", "waiting for the terminal"
        SENT = "sent", "at the terminal"
        APPROVED = "approved", "approved"
        DECLINED = "declined", "declined (not charged)"
        UNKNOWN = "unknown", "unknown: checking the terminal"
        UNRESOLVED = "unresolved", "unknown, released by a supervisor"

    OPEN_STATES = (State.PENDING, State.SENT, State.UNKNOWN)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lane = models.ForeignKey(
        "lanes.Lane", on_delete=models.CASCADE, related_name="terminal_payments"
    )
    basket_id = models.UUIDField(null=True, blank=True, db_index=True)
    what = models.CharField(max_length=12, default="payment",
                            help_text="payment, refund or end_of_day")  # fmt: skip
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    baseline_receipt = models.CharField(
        max_length=64, blank=True, help_text="the terminal's last receipt number before this"
    )
    reference = models.CharField(
        max_length=32,
        blank=True,
        help_text="ZVT: terminal-trace-receipt; nexo: its tender reference",
    )
    receipt_number = models.CharField(
        max_length=64, blank=True, help_text="ZVT: the receipt number; nexo: its POITransactionID"
    )
    card_type = models.CharField(max_length=32, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    message = models.CharField(max_length=200, blank=True, help_text="why declined or unknown")
    customer_receipt = models.JSONField(default=list, blank=True)
    merchant_receipt = models.JSONField(default=list, blank=True)
    applied = models.BooleanField(default=False, help_text="recorded as the basket's tender")
    return_sale_id = models.UUIDField(
        null=True, blank=True, help_text="a refund: the return it was recorded as"
    )
    released_by = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["lane", "state"])]

    def __str__(self) -> str:
        return f"{self.what} {self.amount} on {self.lane} ({self.state})"
