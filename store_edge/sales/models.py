"""Lanes, baskets being rung up, and completed sales with their lines, tenders and taxes."""

import uuid

from django.db import models


class Lane(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name or f"Lane {self.number}"


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

    lane = models.ForeignKey(Lane, on_delete=models.CASCADE, related_name="devices")
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
        ordering = ["lane__number", "kind"]

    def __str__(self) -> str:
        return f"{self.lane} {self.kind} ({self.protocol} on {self.port})"


class LaneToken(models.Model):
    """A bearer token for a lane's API client; only its SHA-256 is kept."""

    lane = models.ForeignKey(Lane, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="first characters, to tell tokens apart")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.lane} token {self.prefix}…"


class StaffRole(models.TextChoices):
    CASHIER = "cashier", "cashier"
    SUPERVISOR = "supervisor", "supervisor"
    MANAGER = "manager", "manager"


class StaffMember(models.Model):
    """Someone who works the lanes: signs in with a code and a PIN (kept hashed)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=16, choices=StaffRole.choices)
    pin_hash = models.CharField(max_length=256)
    active = models.BooleanField(default=True)
    failed_pins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.role})"


class FailedPin(models.Model):
    """A wrong staff code or PIN given at a lane: what the throttle per lane and per network
    address counts (a code's own lock-out is on StaffMember)."""

    at = models.DateTimeField()
    lane = models.ForeignKey(Lane, null=True, blank=True, on_delete=models.SET_NULL)
    address = models.GenericIPAddressField(null=True, blank=True)
    code = models.CharField(max_length=16)

    class Meta:
        indexes = [
            models.Index(fields=["lane", "at"], name="failedpin_lane_at"),
            models.Index(fields=["address", "at"], name="failedpin_address_at"),
            models.Index(fields=["at"], name="failedpin_at"),
        ]

    def __str__(self) -> str:
        return f"{self.code} at {self.at:%Y-%m-%d %H:%M:%S}"


class TenderMethod(models.TextChoices):
    CASH = "cash", "cash"
    CARD = "card", "card (external terminal)"


class BasketStatus(models.TextChoices):
    OPEN = "open", "open"
    SUSPENDED = "suspended", "suspended"
    COMPLETED = "completed", "completed"


class Basket(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lane = models.ForeignKey(Lane, on_delete=models.PROTECT, related_name="baskets")
    status = models.CharField(max_length=16, choices=BasketStatus.choices, default="open")
    created_at = models.DateTimeField(auto_now_add=True)
    sale = models.OneToOneField(
        "Sale", on_delete=models.PROTECT, null=True, blank=True, related_name="basket"
    )
    member_card = models.CharField(max_length=32, blank=True)
    coupons = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"basket {self.id} ({self.status})"


class BasketLine(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    sku = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=32, help_text="the code scanned or typed")
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    weight_kg = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    tax_class = models.CharField(max_length=16)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4)
    tax_inclusive = models.BooleanField()
    category = models.CharField(max_length=64, blank=True)
    embedded_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="printed in the barcode"
    )
    override_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    discount_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    change_reason = models.CharField(max_length=200, blank=True)
    approved_by = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class BasketPayment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(max_length=16, choices=TenderMethod.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    terminal_reference = models.CharField(max_length=32, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.amount}"


class Sale(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.CharField(max_length=32, unique=True)
    lane = models.ForeignKey(Lane, on_delete=models.PROTECT, related_name="sales")
    completed_at = models.DateTimeField(db_index=True)
    config_version = models.PositiveIntegerField()
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount_total = models.DecimalField(max_digits=12, decimal_places=2)
    tax_total = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    amount_paid = models.DecimalField(max_digits=12, decimal_places=2)
    change = models.DecimalField(max_digits=12, decimal_places=2)
    cash_rounding = models.DecimalField(
        max_digits=6, decimal_places=2, default=0, help_text="cash due minus total"
    )
    member_card = models.CharField(max_length=32, blank=True)
    coupons = models.JSONField(default=list, blank=True)
    cashier = models.CharField(max_length=16, blank=True)
    shift = models.ForeignKey(
        "Shift", on_delete=models.PROTECT, null=True, blank=True, related_name="sales"
    )
    returns_sale = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
        help_text="for a return: the sale it returns (none: a return without receipt)",
    )

    class Meta:
        ordering = ["-completed_at"]

    def __str__(self) -> str:
        return f"sale {self.number}"


class SaleLine(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField()
    sku = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    weight_kg = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    base_amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    tax_class = models.CharField(max_length=16)
    adjustments = models.JSONField(default=list, blank=True)
    returned_line = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returned_by",
        help_text="on a return: the sold line it takes back",
    )

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class SaleTender(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="tenders")
    method = models.CharField(max_length=16, choices=TenderMethod.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    terminal_reference = models.CharField(max_length=32, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)

    def __str__(self) -> str:
        return f"{self.method} {self.amount}"


class SaleTax(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="taxes")
    tax_class = models.CharField(max_length=16)
    rate = models.DecimalField(max_digits=6, decimal_places=4)
    inclusive = models.BooleanField()
    net = models.DecimalField(max_digits=12, decimal_places=2)
    tax = models.DecimalField(max_digits=12, decimal_places=2)
    gross = models.DecimalField(max_digits=12, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.tax_class} {self.tax}"


class Shift(models.Model):
    """A cashier's shift on a lane: opened with a float, closed with the cash counted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lane = models.ForeignKey(Lane, on_delete=models.PROTECT, related_name="shifts")
    cashier = models.CharField(max_length=16)
    opened_at = models.DateTimeField()
    opening_float = models.DecimalField(max_digits=12, decimal_places=2)
    closed_at = models.DateTimeField(null=True, blank=True)
    counted_cash = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    expected_cash = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lane"], condition=models.Q(closed_at=None), name="one_open_shift_per_lane"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lane} shift of {self.cashier} from {self.opened_at:%Y-%m-%d %H:%M}"


class CashMovementKind(models.TextChoices):
    PAID_IN = "paid_in", "paid in"
    PAID_OUT = "paid_out", "paid out"


class CashMovement(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="cash_movements")
    kind = models.CharField(max_length=8, choices=CashMovementKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=200)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"
