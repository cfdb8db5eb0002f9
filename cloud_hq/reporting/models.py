"""Summary tables the reports read, kept up to date by ingest in the push's own transaction.

Days and hours are in HQ's TIME_ZONE. A product's category is the one it had when sold."""

from __future__ import annotations

from django.db import models

from cloud_hq.stores.models import Store


class SalesHour(models.Model):
    """A store's sales in one hour: counts and totals, returns apart."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    sales = models.PositiveIntegerField(default=0)
    returns = models.PositiveIntegerField(default=0)
    items = models.DecimalField(max_digits=16, decimal_places=3, default=0,
                                help_text="quantity sold (kg count as one item)")  # fmt: skip
    lines = models.PositiveIntegerField(default=0)
    sales_total = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    returns_total = models.DecimalField(
        max_digits=16, decimal_places=2, default=0, help_text="negative"
    )
    discount_total = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "day", "hour"], name="reporting_hour_once")
        ]
        indexes = [models.Index(fields=["day", "store"])]
        permissions = [
            ("view_reports", "Can read HQ's reports"),
            ("view_fleet", "Can read the fleet's health"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} {self.hour:02d}h"


class ProductDay(models.Model):
    """What a store sold of a SKU in a day (returns subtract)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    sku = models.CharField(max_length=32)
    category = models.CharField(max_length=64, blank=True)
    quantity = models.DecimalField(max_digits=16, decimal_places=3, default=0)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    discount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    returned = models.DecimalField(max_digits=16, decimal_places=3, default=0)

    class Meta:
        # Read by store (and day) through this constraint's index; chain-wide reads go to
        # ProductDayChain. No second index to keep up at every push.
        constraints = [
            models.UniqueConstraint(fields=["store", "day", "sku"], name="reporting_product_once")
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} {self.sku}"


class TenderDay(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    method = models.CharField(max_length=16)
    count = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "day", "method"], name="reporting_tender_once")
        ]
        indexes = [models.Index(fields=["day", "store"])]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} {self.method}"


class TaxDay(models.Model):
    """A store's taxes of one class (at one rate) in a day, as its receipts printed them:
    rounded per class on each receipt, returns subtracting."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    tax_class = models.CharField(max_length=16)
    rate = models.DecimalField(max_digits=8, decimal_places=6)
    inclusive = models.BooleanField(help_text="prices include the tax (VAT), else on top")
    receipts = models.PositiveIntegerField(default=0)
    net = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    tax = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    gross = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "day", "tax_class", "rate", "inclusive"],
                                    name="reporting_tax_once")
        ]  # fmt: skip
        indexes = [models.Index(fields=["day", "store"])]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} {self.tax_class} {self.rate}"


class PromotionDay(models.Model):
    """What a promotion gave away at a store in a day, and on how many lines."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    promotion = models.CharField(max_length=32)
    lines = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(
        max_digits=16, decimal_places=2, default=0, help_text="negative: what it took off"
    )
    sales_amount = models.DecimalField(
        max_digits=16, decimal_places=2, default=0, help_text="of the lines it touched"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "day", "promotion"],
                                    name="reporting_promotion_once")
        ]  # fmt: skip
        indexes = [models.Index(fields=["day", "store"])]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} {self.promotion}"


class HeartbeatSample(models.Model):
    """A store's heartbeat kept for its history (pruned after FLEET_HISTORY_DAYS)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    received_at = models.DateTimeField()
    sync_lag_seconds = models.FloatField(null=True, help_text="none: never pushed")
    buffer_size = models.PositiveIntegerField()
    disk_usage_percent = models.FloatField()
    device_count = models.PositiveIntegerField()
    alerts = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["store", "received_at"])]

    def __str__(self) -> str:
        return f"{self.store_id} at {self.received_at:%Y-%m-%d %H:%M:%S}"


class ShrinkDay(models.Model):
    """Stock a store lost or found in a day, by why: a count's difference, an adjustment
    (damage, theft, expiry, found), waste."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    sku = models.CharField(max_length=32)
    reason = models.CharField(max_length=16)
    quantity = models.DecimalField(max_digits=16, decimal_places=3, default=0)
    entries = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "day", "sku", "reason"],
                                    name="reporting_shrink_once")
        ]  # fmt: skip
        indexes = [models.Index(fields=["day", "store"])]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} {self.sku} {self.reason}"


class ProductDayChain(models.Model):
    """What the whole chain sold of a SKU in a day: the product reports' source when no
    store or region is asked for (one row per SKU and day, not per store)."""

    day = models.DateField()
    sku = models.CharField(max_length=32)
    category = models.CharField(max_length=64, blank=True)
    quantity = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    discount = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    returned = models.DecimalField(max_digits=18, decimal_places=3, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "sku"], name="reporting_chain_product_once")
        ]

    def __str__(self) -> str:
        return f"chain {self.day} {self.sku}"


class ChainDirtyDay(models.Model):
    """A day whose chain-wide product summary is behind the stores' (a push touched it).
    Pushes only mark days; `chain_refresh` recomputes them, so concurrent pushes of many
    stores never wait on the same chain rows."""

    day = models.DateField(unique=True)

    def __str__(self) -> str:
        return f"chain summary of {self.day} to refresh"
