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
