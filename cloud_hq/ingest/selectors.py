"""Reads of what HQ holds of a store's ledger."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from cloud_hq.ingest.models import LedgerEntry, Sale, StoreLedger
from cloud_hq.reconciliation.models import StockLevel
from cloud_hq.stores.models import Store


def stock_checksum(*, store: Store) -> str:
    """Digest stock per SKU exactly as the store's `ledger_summary` does."""
    digest = hashlib.sha256()
    levels = StockLevel.objects.filter(store=store).exclude(quantity=0)
    # Sorted here, in code-point order like the store: a database collation may differ.
    for sku, quantity in sorted(levels.values_list("sku", "quantity")):
        digest.update(f"{sku}:{Decimal(quantity).quantize(Decimal('0.001'))}\n".encode())
    return digest.hexdigest()


def ledger_summary(*, store: Store) -> dict[str, Any]:
    ledger = StoreLedger.objects.filter(store=store).first()
    sales_total = Decimal("0.00")
    count = 0
    for total in (
        Sale.objects.filter(store=store).values_list("total", flat=True).iterator(chunk_size=5000)
    ):
        count += 1
        sales_total += total
    return {
        "store_id": store.code,
        "last_seq": ledger.high_water_mark if ledger else 0,
        "entries": LedgerEntry.objects.filter(store=store).count(),
        "sales": count,
        "sales_total": str(sales_total),
        "stock_checksum": stock_checksum(store=store),
    }
