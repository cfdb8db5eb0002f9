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


def ledger_held(*, store: Store, after: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """HQ's high-water mark for the store, and its entries after `after` (up to `limit`), as
    the store pushed them: applied ones in their wire form, quarantined ones as received."""
    ledger = StoreLedger.objects.filter(store=store).first()
    mark = ledger.high_water_mark if ledger else 0
    rows = LedgerEntry.objects.filter(store=store, seq__gt=after, seq__lte=min(after + limit, mark))
    entries = []
    for row in rows.order_by("seq"):
        if row.quarantine_reason:
            entries.append({**row.payload, "seq": row.seq})
            continue
        entries.append({
            "seq": row.seq, "uuid": str(row.uuid), "kind": row.kind, "sku": row.sku,
            "quantity": None if row.quantity is None else f"{row.quantity:.3f}",
            "document_type": row.document_type, "document_id": str(row.document_id),
            "payload": row.payload, "user": row.user, "created_at": row.created_at.isoformat(),
            "config_version": row.config_version,
        })  # fmt: skip
    return mark, entries
