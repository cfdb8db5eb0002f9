"""Stock on hand, kept in step with the ledger: the projector the ledger calls in the
transaction of every append (settings.LEDGER_PROJECTORS), and a rebuild from the ledger."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from store_edge.inventory.models import StockLevel
from store_edge.inventory.selectors import stock_recomputed
from store_edge.ledger.models import STOCK_KINDS, EntryKind, LedgerEntry
from store_edge.ledger.services import NewEntry

MOVE = (
    "INSERT INTO inventory_stocklevel (sku, quantity_milli, last_seq) VALUES (?, ?, ?)"
    " ON CONFLICT (sku) DO UPDATE SET quantity_milli = quantity_milli + excluded.quantity_milli,"
    " last_seq = excluded.last_seq"
)
SET = (
    "INSERT INTO inventory_stocklevel (sku, quantity_milli, last_seq) VALUES (?, ?, ?)"
    " ON CONFLICT (sku) DO UPDATE SET quantity_milli = excluded.quantity_milli,"
    " last_seq = excluded.last_seq"
)


def milli(quantity: Decimal) -> int:
    """Thousandths of a unit (grams of a kilogram), exact."""
    return int((quantity * 1000).to_integral_value())


def stock_project(cursor: sqlite3.Cursor, *, first: int, entries: Sequence[NewEntry]) -> None:
    """Keep stock on hand in step with the entries just appended (same transaction)."""
    for offset, entry in enumerate(entries):
        if entry.kind in STOCK_KINDS and entry.quantity is not None:
            statement = SET if entry.kind == EntryKind.COUNT else MOVE
            cursor.execute(statement, [entry.sku, milli(entry.quantity), first + offset])


def stock_rebuild() -> int:
    """Rebuild the stock projection from the ledger in one transaction; return the SKUs."""

    with transaction.atomic():
        levels = stock_recomputed()
        last_seqs = dict(
            LedgerEntry.objects.filter(kind__in=STOCK_KINDS)
            .values("sku")
            .annotate(last=Max("seq"))
            .values_list("sku", "last")
        )
        StockLevel.objects.all().delete()
        StockLevel.objects.bulk_create(
            StockLevel(sku=sku, quantity_milli=milli(quantity), last_seq=last_seqs.get(sku, 0))
            for sku, quantity in levels.items()
        )
    return len(levels)
