"""HQ's authoritative picture built from what the stores report."""

from django.db import models

from cloud_hq.stores.models import Store


class StockLevel(models.Model):
    """Stock of a SKU at a store: the sum of every movement the store reported."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=32)
    quantity = models.DecimalField(max_digits=16, decimal_places=3)
    last_seq = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "sku"], name="reconciliation_stock_once")
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.sku}: {self.quantity}"


class CountAdjustment(models.Model):
    """What a store's stock count changed, at its place in the store's sequence."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    sku = models.CharField(max_length=32)
    counted = models.DecimalField(max_digits=16, decimal_places=3)
    before = models.DecimalField(max_digits=16, decimal_places=3)
    delta = models.DecimalField(max_digits=16, decimal_places=3)
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "seq"], name="reconciliation_count_once")
        ]

    def __str__(self) -> str:
        return f"{self.store_id} #{self.seq} {self.sku} {self.delta:+}"


class ConflictKind(models.TextChoices):
    QUARANTINED = "quarantined", "entry held but not applied"
    UNKNOWN_SKU = "unknown_sku", "SKU not in the catalogue"
    REVOKED_KEY = "revoked_key", "sale made while the store's key was revoked"
    TRANSFER_MISMATCH = "transfer_mismatch", "the two halves of a transfer disagree"
    COUPON_REUSED = "coupon_reused", "single-use coupon redeemed more than once"
    CARD_TERMINAL = "card_terminal", "a lane terminal's end of day disagrees with its card tenders"


class Resolution(models.TextChoices):
    ACCEPTED = "accepted", "accepted as the store reported it"
    CORRECTED = "corrected", "corrected (master data or stock fixed at HQ)"
    WRITTEN_OFF = "written_off", "written off"
    REAPPLIED = "reapplied", "re-applied (quarantined entry applied now)"
    DISMISSED = "dismissed", "dismissed"


class Conflict(models.Model):
    """Something a store reported that HQ staff must look at: resolved with an action and a
    note. Detection is idempotent: the same thing is queued once."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="conflicts")
    kind = models.CharField(max_length=24, choices=ConflictKind.choices)
    reference = models.CharField(max_length=128, help_text="what it is about (seq, SKU, …)")
    seq = models.PositiveBigIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict)
    detected_at = models.DateTimeField()
    resolution = models.CharField(max_length=16, choices=Resolution.choices, blank=True)
    note = models.TextField(blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "kind", "reference"],
                                    name="reconciliation_conflict_once"),
        ]  # fmt: skip
        indexes = [models.Index(fields=["resolved_at", "kind"])]
        ordering = ["-detected_at"]

    def __str__(self) -> str:
        return f"{self.store_id} {self.kind} {self.reference}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class PriceVariance(models.Model):
    """A sale line priced with an older config version: accepted as transacted; what it
    differs from the price in force is recorded."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    sale = models.ForeignKey("hq_ingest.Sale", on_delete=models.CASCADE, related_name="variances")
    sku = models.CharField(max_length=32)
    sold_at = models.DateTimeField()
    config_version = models.PositiveIntegerField(help_text="the version the store priced with")
    version_in_force = models.PositiveIntegerField()
    charged = models.DecimalField(max_digits=12, decimal_places=2, help_text="unit price")
    in_force = models.DecimalField(max_digits=12, decimal_places=2, help_text="unit price")
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    difference = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="(charged - in force) × quantity"
    )

    class Meta:
        indexes = [models.Index(fields=["store", "sold_at"])]

    def __str__(self) -> str:
        return f"{self.store_id} {self.sku} {self.difference:+}"


class TransferLeg(models.Model):
    """One SKU of a transfer between two stores: what the sender sent and the receiver
    received, as each reported it."""

    sender = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=64, help_text="the sender's transfer reference")
    sku = models.CharField(max_length=32)
    sent = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    received = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sender", "reference", "sku"],
                                    name="reconciliation_transfer_leg_once"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.sender_id}→{self.receiver_id} {self.reference} {self.sku}"
