"""Reads of stock on hand: the projection, and stock recomputed from the ledger."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal

from store_edge.inventory.models import StockLevel
from store_edge.ledger.models import STOCK_KINDS, EntryKind, LedgerCheckpoint, LedgerEntry

THOUSANDTH = Decimal("0.001")


def stock_on_hand(*, sku: str) -> tuple[Decimal, LedgerEntry | None]:
    """Return the quantity on hand of a SKU (the projection) and its last movement."""
    level = StockLevel.objects.filter(sku=sku).first()
    last = (
        LedgerEntry.objects.filter(sku=sku, kind__in=STOCK_KINDS).order_by("-seq").first()
        if level
        else None
    )
    return (level.quantity if level else Decimal(0)).quantize(THOUSANDTH), last


def stock_levels() -> dict[str, Decimal]:
    """Stock on hand per SKU, as the projection holds it."""
    return {
        sku: (Decimal(milli) / 1000).quantize(THOUSANDTH)
        for sku, milli in StockLevel.objects.values_list("sku", "quantity_milli").iterator(
            chunk_size=5000
        )
    }


def stock_recomputed() -> dict[str, Decimal]:
    """Stock per SKU recomputed from the ledger alone (from the last compaction's
    checkpoint on): counts set the quantity, every other stock entry moves it."""
    checkpoint = LedgerCheckpoint.objects.order_by("-last_seq").first()
    levels: dict[str, Decimal] = {}
    if checkpoint is not None:
        levels = {sku: Decimal(quantity) for sku, quantity in checkpoint.stock.items()}
    entries = LedgerEntry.objects.filter(
        kind__in=STOCK_KINDS, seq__gt=checkpoint.last_seq if checkpoint else 0
    ).order_by("seq")
    for kind, sku, quantity in entries.values_list("kind", "sku", "quantity").iterator(
        chunk_size=5000
    ):
        if quantity is None:
            continue
        if kind == EntryKind.COUNT:
            levels[sku] = quantity
        else:
            levels[sku] = levels.get(sku, Decimal(0)) + quantity
    return {sku: q.quantize(THOUSANDTH) for sku, q in levels.items()}


def stock_differences() -> list[tuple[str, Decimal, Decimal]]:
    """SKUs where the projection and the ledger disagree: (sku, projection, ledger)."""
    held, truth = stock_levels(), stock_recomputed()
    zero = Decimal(0).quantize(THOUSANDTH)
    return [
        (sku, held.get(sku, zero), truth.get(sku, zero))
        for sku in sorted(set(held) | set(truth))
        if held.get(sku, zero) != truth.get(sku, zero)
    ]


def stock_checksum() -> str:
    """Return a digest of stock per SKU, comparable with HQ's."""
    return stock_digest(sorted(stock_levels().items()))


def stock_digest(levels: Iterable[tuple[str, Decimal]]) -> str:
    """Digest `(sku, quantity)` pairs: SKUs at zero are left out, quantities normalised."""
    digest = hashlib.sha256()
    for sku, quantity in levels:
        if quantity:
            digest.update(f"{sku}:{Decimal(quantity).quantize(THOUSANDTH)}\n".encode())
    return digest.hexdigest()
