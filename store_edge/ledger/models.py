"""The store's write-ahead ledger: every event HQ must learn about, numbered without gaps.

The tables keep the names they were created with (`inventory_*`): the ledger was part of
the inventory app before it became its own, and no row moved.
"""

import uuid

from django.db import models


class Counter(models.Model):
    """A gapless counter: incremented inside the transaction that uses the number."""

    name = models.CharField(max_length=32, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "inventory_counter"

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class EntryKind(models.TextChoices):
    SALE_COMPLETED = "sale_completed", "sale completed (document)"
    SALE = "sale", "sale (stock out)"
    RETURN = "return", "return (stock back)"
    VOID = "void", "void of a sale (stock back)"
    DELIVERY = "delivery", "delivery received"
    COUNT = "count", "stock count (an absolute observation)"
    ADJUSTMENT = "adjustment", "adjustment"
    WASTE = "waste", "waste"
    TRANSFER_OUT = "transfer_out", "transfer out to another store"
    TRANSFER_IN = "transfer_in", "transfer in from another store"
    RETURN_COMPLETED = "return_completed", "return completed (document)"
    SHIFT_CLOSED = "shift_closed", "shift closed (Z report)"
    DRAWER_OPENED = "drawer_opened", "cash drawer opened with no sale (its reason)"


# Entries that move stock by their quantity; a count sets it.
MOVEMENT_KINDS = frozenset({
    EntryKind.SALE, EntryKind.RETURN, EntryKind.VOID, EntryKind.DELIVERY, EntryKind.ADJUSTMENT,
    EntryKind.WASTE, EntryKind.TRANSFER_OUT, EntryKind.TRANSFER_IN,
})  # fmt: skip
STOCK_KINDS = MOVEMENT_KINDS | {EntryKind.COUNT}


class LedgerEntry(models.Model):
    """One ledger entry. Rows are never updated or deleted (database triggers refuse it)."""

    seq = models.PositiveBigIntegerField(primary_key=True)
    uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=EntryKind.choices)
    sku = models.CharField(max_length=32, blank=True, db_index=True)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    document_type = models.CharField(max_length=32)
    document_id = models.UUIDField(db_index=True)
    payload = models.JSONField(default=dict)
    user = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField()
    config_version = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(quantity=0) | models.Q(kind=EntryKind.COUNT),
                name="ledger_quantity_not_zero",
            ),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="ledger_seq_gte_1"),
        ]
        db_table = "inventory_ledgerentry"
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.sku}".rstrip()


class LedgerCheckpoint(models.Model):
    """Entries archived by compaction: what they were, so that the chain stays verifiable."""

    last_seq = models.PositiveBigIntegerField(primary_key=True)
    first_seq = models.PositiveBigIntegerField()
    entries = models.PositiveIntegerField()
    digest = models.CharField(max_length=64, help_text="SHA-256 over the archived entries")
    previous_digest = models.CharField(max_length=64, blank=True)
    stock = models.JSONField(help_text="stock per SKU after the last archived entry")
    archive = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "inventory_ledgercheckpoint"

    def __str__(self) -> str:
        return f"#{self.first_seq}–#{self.last_seq} archived"
