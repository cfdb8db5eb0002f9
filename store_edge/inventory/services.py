"""Writes to the ledger. Callers hold the transaction that also writes the business event.

Raw SQL: the ledger is written on every completed sale, while the cashier waits.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Max

from store_edge.inventory.models import STOCK_KINDS, EntryKind, LedgerEntry, StockLevel
from store_edge.inventory.selectors import stock_recomputed

LEDGER_SEQ = "ledger_seq"
LEDGER_COLUMNS = (
    "seq", "uuid", "kind", "sku", "quantity", "document_type", "document_id", "payload",
    "user", "created_at", "config_version",
)  # fmt: skip


@dataclass(frozen=True)
class NewEntry:
    kind: str
    document_type: str
    document_id: uuid.UUID
    sku: str = ""
    quantity: Decimal | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def counter_take(*, name: str, count: int = 1) -> int:
    """Reserve `count` numbers from a gapless counter and return the first one.

    Must run inside the transaction that uses the numbers: a rollback gives them back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("counter_take must run inside the transaction that uses the number")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO inventory_counter (name, value) VALUES (%s, %s)"
            " ON CONFLICT (name) DO UPDATE SET value = value + excluded.value RETURNING value",
            [name, count],
        )
        last: int = cursor.fetchone()[0]
    return last - count + 1


def ledger_append(
    *, entries: list[NewEntry], user: str, at: datetime, config_version: int
) -> range:
    """Append entries with the next seq numbers, in the caller's transaction; return the seqs."""
    first = counter_take(name=LEDGER_SEQ, count=len(entries))
    created_at = connection.ops.adapt_datetimefield_value(at)
    rows = [
        (
            first + offset,
            uuid.uuid4().hex,
            entry.kind,
            entry.sku,
            None if entry.quantity is None else str(entry.quantity),
            entry.document_type,
            entry.document_id.hex,
            json.dumps(entry.payload),
            user,
            created_at,
            config_version,
        )
        for offset, entry in enumerate(entries)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO inventory_ledgerentry ({', '.join(LEDGER_COLUMNS)})"  # noqa: S608
            f" VALUES ({', '.join(['%s'] * len(LEDGER_COLUMNS))})",
            rows,
        )
        _project(cursor, entries=entries, first=first)
    return range(first, first + len(entries))


MOVE = (
    "INSERT INTO inventory_stocklevel (sku, quantity_milli, last_seq) VALUES (%s, %s, %s)"
    " ON CONFLICT (sku) DO UPDATE SET quantity_milli = quantity_milli + excluded.quantity_milli,"
    " last_seq = excluded.last_seq"
)
SET = (
    "INSERT INTO inventory_stocklevel (sku, quantity_milli, last_seq) VALUES (%s, %s, %s)"
    " ON CONFLICT (sku) DO UPDATE SET quantity_milli = excluded.quantity_milli,"
    " last_seq = excluded.last_seq"
)


def milli(quantity: Decimal) -> int:
    """Thousandths of a unit (grams of a kilogram), exact."""
    return int((quantity * 1000).to_integral_value())


def _project(cursor: CursorWrapper, *, entries: list[NewEntry], first: int) -> None:
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
