"""Reads of the ledger."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Max

from store_edge.inventory.models import LedgerEntry


def stock_on_hand(*, sku: str) -> tuple[Decimal, LedgerEntry | None]:
    """Return the quantity on hand of a SKU and its last movement."""
    movements = LedgerEntry.objects.filter(sku=sku).exclude(quantity=None)
    quantities = movements.values_list("quantity", flat=True)
    total = sum((q for q in quantities if q is not None), Decimal("0.000"))
    return total, movements.order_by("-seq").first()


def stock_checksum() -> str:
    """Return a digest of stock per SKU (Σ movement quantities), comparable with HQ's.

    Sums are taken in Decimal here: SQLite would add the quantities as floats.
    """
    levels: dict[str, Decimal] = defaultdict(Decimal)
    movements = LedgerEntry.objects.exclude(quantity=None).values_list("sku", "quantity")
    for sku, quantity in movements.iterator(chunk_size=5000):
        levels[sku] += quantity or 0
    return stock_digest(sorted(levels.items()))


def stock_digest(levels: Iterable[tuple[str, Decimal]]) -> str:
    """Digest `(sku, quantity)` pairs: SKUs at zero are left out, quantities normalised."""
    digest = hashlib.sha256()
    for sku, quantity in levels:
        if quantity:
            digest.update(f"{sku}:{Decimal(quantity).quantize(Decimal('0.001'))}\n".encode())
    return digest.hexdigest()


def ledger_totals() -> dict[str, int]:
    """Return the last seq and the number of entries in the ledger."""
    row = LedgerEntry.objects.aggregate(last_seq=Max("seq"), entries=Count("seq"))
    return {"last_seq": row["last_seq"] or 0, "entries": row["entries"]}
