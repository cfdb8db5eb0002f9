"""What the stores reported: their ledgers, applied exactly once, and the sales in them."""

import uuid

from django.db import models

from cloud_hq.stores.models import Store


class StoreLedger(models.Model):
    """HQ's high-water mark for a store: it holds every entry with seq <= this."""

    store = models.OneToOneField(Store, on_delete=models.PROTECT, primary_key=True)
    high_water_mark = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.store_id} up to #{self.high_water_mark}"


class LedgerEntry(models.Model):
    # No index of its own: the (store, seq) constraint's index serves every lookup by store.
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+", db_index=False)
    seq = models.PositiveBigIntegerField()
    uuid = models.UUIDField(unique=True)
    kind = models.CharField(max_length=32)
    sku = models.CharField(max_length=32, blank=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    document_type = models.CharField(max_length=32)
    document_id = models.UUIDField()
    payload = models.JSONField()
    user = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField()
    config_version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    received_at = models.DateTimeField()
    quarantine_reason = models.TextField(
        blank=True, help_text="why it was held but not applied (the conflict queue resolves it)"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "seq"], name="ingest_store_seq_once"),
        ]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.store_id} #{self.seq} {self.kind}"


class NoSale(LedgerEntry):
    """A store's ledger entry of a cash drawer opened with no sale (HQ staff's list of them)."""

    class Meta:
        proxy = True
        verbose_name = "no sale (drawer opened)"
        verbose_name_plural = "no sales (drawer opened)"


class PushConflict(models.Model):
    """A store sent a seq HQ already holds with different content: refused, kept for review."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    held_hash = models.CharField(max_length=64)
    received_hash = models.CharField(max_length=64)
    received = models.JSONField()
    detected_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.store_id} #{self.seq} conflict"


class Sale(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    # Indexed by (store, number) and (store, completed_at) below, not on its own.
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="sales", db_index=False)
    number = models.CharField(max_length=32)
    lane = models.PositiveSmallIntegerField()
    completed_at = models.DateTimeField()
    config_version = models.PositiveIntegerField()
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    discount_total = models.DecimalField(max_digits=12, decimal_places=2)
    tax_total = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    amount_paid = models.DecimalField(max_digits=12, decimal_places=2)
    change = models.DecimalField(max_digits=12, decimal_places=2)
    cash_rounding = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    member_card = models.CharField(max_length=32, blank=True)
    coupons = models.JSONField(default=list, blank=True)
    cashier = models.CharField(max_length=16, blank=True)
    returns = models.CharField(
        max_length=32, blank=True, help_text="on a return: the number of the sale it takes back"
    )
    approved_by = models.CharField(max_length=16, blank=True, help_text="who approved a return")
    seq = models.PositiveBigIntegerField(help_text="the ledger entry that reported it")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "number"], name="ingest_sale_number_once")
        ]
        indexes = [models.Index(fields=["store", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.store_id} sale {self.number}"


class SaleLine(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    sku = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    weight_kg = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    base_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    tax_class = models.CharField(max_length=16)
    adjustments = models.JSONField(default=list, blank=True)
    returns_line = models.UUIDField(null=True, blank=True, help_text="on a return: the line sold")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"


class CouponRedemption(models.Model):
    """A coupon code used in a sale. A single-use coupon redeemed twice is flagged."""

    code = models.CharField(max_length=32, db_index=True)
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="coupon_redemptions")
    redeemed_at = models.DateTimeField()
    single_use = models.BooleanField(default=False)
    repeated = models.BooleanField(default=False, help_text="a single-use code used before")

    def __str__(self) -> str:
        return f"{self.code} in {self.sale_id}"


class SaleTender(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="tenders")
    method = models.CharField(max_length=16)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    terminal_reference = models.CharField(max_length=32, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)

    def __str__(self) -> str:
        return f"{self.method} {self.amount}"


class SaleTax(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="taxes")
    tax_class = models.CharField(max_length=16)
    rate = models.DecimalField(max_digits=8, decimal_places=6)
    inclusive = models.BooleanField()
    net = models.DecimalField(max_digits=12, decimal_places=2)
    tax = models.DecimalField(max_digits=12, decimal_places=2)
    gross = models.DecimalField(max_digits=12, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.tax_class} {self.tax}"


class ShiftClose(models.Model):
    """A lane's shift as its Z report told it: sales, tenders and the cash variance."""

    id = models.UUIDField(primary_key=True, help_text="the store's shift id")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="shifts")
    lane = models.PositiveSmallIntegerField()
    cashier = models.CharField(max_length=16, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField()
    sales = models.PositiveIntegerField()
    returns = models.PositiveIntegerField()
    sales_total = models.DecimalField(max_digits=14, decimal_places=2)
    returns_total = models.DecimalField(max_digits=14, decimal_places=2)
    tenders = models.JSONField(default=dict)
    opening_float = models.DecimalField(max_digits=12, decimal_places=2)
    paid_in = models.DecimalField(max_digits=12, decimal_places=2)
    paid_out = models.DecimalField(max_digits=12, decimal_places=2)
    expected_cash = models.DecimalField(max_digits=14, decimal_places=2)
    counted_cash = models.DecimalField(max_digits=12, decimal_places=2)
    variance = models.DecimalField(max_digits=14, decimal_places=2)
    drawer_openings = models.PositiveIntegerField(
        default=0, help_text="cash sales and refunds, paid in, paid out, no sale"
    )
    no_sales = models.PositiveIntegerField(default=0, help_text="drawer opened with no sale")
    card_terminal = models.JSONField(
        null=True, blank=True, help_text="the terminal's end of day against the card tenders"
    )
    seq = models.PositiveBigIntegerField(help_text="the ledger entry that reported it")

    class Meta:
        indexes = [models.Index(fields=["store", "closed_at"])]

    def __str__(self) -> str:
        return f"{self.store_id} lane {self.lane} shift closed {self.closed_at:%Y-%m-%d %H:%M}"
