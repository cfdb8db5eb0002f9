"""The store's write-ahead ledger: every event HQ must learn about, numbered without gaps."""

import uuid

from django.db import models


class Counter(models.Model):
    """A gapless counter: incremented inside the transaction that uses the number."""

    name = models.CharField(max_length=32, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class EntryKind(models.TextChoices):
    SALE_COMPLETED = "sale_completed", "sale completed (document)"
    SALE = "sale", "sale (stock out)"


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
                condition=~models.Q(quantity=0), name="ledger_quantity_not_zero"
            ),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="ledger_seq_gte_1"),
        ]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.sku}".rstrip()
