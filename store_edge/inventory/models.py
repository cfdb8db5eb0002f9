"""Stock on hand (the projection of the ledger) and the stock documents a manager posts."""

import uuid
from decimal import Decimal

from django.db import models


class AdjustmentReason(models.TextChoices):
    DAMAGE = "damage", "damage"
    THEFT = "theft", "theft"
    EXPIRY = "expiry", "expiry"
    FOUND = "found", "found"


class StockLevel(models.Model):
    """Stock on hand of a SKU: the projection of the ledger, kept in the same transaction.

    Quantities are in thousandths (grams for weighed goods) so that SQL adds them exactly.
    """

    sku = models.CharField(max_length=32, primary_key=True)
    quantity_milli = models.BigIntegerField(default=0)
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["quantity_milli"], name="stock_quantity_idx")]

    def __str__(self) -> str:
        return f"{self.sku}: {self.quantity}"

    @property
    def quantity(self) -> Decimal:
        return (Decimal(self.quantity_milli) / 1000).quantize(Decimal("0.001"))


class DocumentKind(models.TextChoices):
    DELIVERY = "delivery", "delivery"
    COUNT = "count", "stock count"
    ADJUSTMENT = "adjustment", "adjustment"
    WASTE = "waste", "waste"
    TRANSFER_OUT = "transfer_out", "transfer out"
    TRANSFER_IN = "transfer_in", "transfer in"


class DocumentStatus(models.TextChoices):
    EXPECTED = "expected", "expected (announced by HQ)"
    DRAFT = "draft", "draft"
    POSTED = "posted", "posted"


class StockDocument(models.Model):
    """A stock operation of the store: prepared as a draft, posted to the ledger at once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    status = models.CharField(max_length=12, choices=DocumentStatus.choices, default="draft")
    reference = models.CharField(max_length=64, blank=True, help_text="delivery note, transfer")
    other_store = models.CharField(max_length=16, blank=True, help_text="for transfers")
    reason = models.CharField(max_length=16, choices=AdjustmentReason.choices, blank=True)
    section = models.CharField(max_length=64, blank=True, help_text="for a partial count")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("receive_delivery", "Can receive a delivery"),
            ("count_stock", "Can count stock"),
            ("adjust_stock", "Can adjust stock"),
            ("record_waste", "Can record waste"),
            ("transfer_stock", "Can send and receive transfers"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference or str(self.id)[:8]}"


class StockDocumentLine(models.Model):
    document = models.ForeignKey(StockDocument, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(max_length=32)
    quantity = models.DecimalField(
        max_digits=12, decimal_places=3, help_text="counted, received, sent, or the change"
    )
    expected = models.DecimalField(
        max_digits=12, decimal_places=3, null=True, blank=True, help_text="announced by HQ"
    )

    def __str__(self) -> str:
        return f"{self.sku} {self.quantity}"
