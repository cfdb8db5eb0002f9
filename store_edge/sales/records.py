"""The one writer of a sale's rows: the sale, its lines, tenders and taxes exactly as its
document describes them, in the caller's transaction, on SQLite's own cursor
(store_edge.raw_sqlite).

Raw SQL on purpose: completing a sale is on the path the cashier waits on, and compiling
ORM inserts costs more than SQLite's own work there (measured by `make bench`).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import connection

from store_edge.sales.document import SaleDocument

SALE_COLUMNS = (
    "id", "number", "lane_id", "completed_at", "config_version", "subtotal", "discount_total",
    "tax_total", "total", "amount_paid", "change", "cash_rounding", "member_card", "coupons",
    "cashier", "shift_id", "returns_sale_id",
)  # fmt: skip
SALE_LINE_COLUMNS = (
    "id", "sale_id", "position", "sku", "name", "quantity", "weight_kg", "unit_price",
    "base_amount", "amount", "tax_class", "adjustments", "returned_line_id", "prior_price",
)  # fmt: skip
SALE_TENDER_COLUMNS = ("id", "sale_id", "method", "amount", "terminal_reference", "card_last4")
SALE_TAX_COLUMNS = ("sale_id", "tax_class", "rate", "inclusive", "net", "tax", "gross")


def _money(value: Any) -> str | None:
    return None if value is None else str(value)


def sale_record(
    cursor: sqlite3.Cursor,
    *,
    sale_id: uuid.UUID,
    document: SaleDocument,
    lane_id: int,
    shift_id: uuid.UUID | None,
    returns_sale_id: uuid.UUID | None,
) -> None:
    """Write a sale's rows as `document` describes them (the caller holds the transaction)."""
    d, key = document, sale_id.hex
    completed_at = connection.ops.adapt_datetimefield_value(d.completed_at)
    _insert(cursor, "sales_sale", SALE_COLUMNS, [(
        key, d.number, lane_id, completed_at, d.config_version, str(d.subtotal),
        str(d.discount_total), str(d.tax_total), str(d.total), str(d.amount_paid), str(d.change),
        str(d.cash_rounding), d.member_card, json.dumps(d.coupons), d.cashier,
        shift_id.hex if shift_id else None, returns_sale_id.hex if returns_sale_id else None,
    )])  # fmt: skip
    _insert(cursor, "sales_saleline", SALE_LINE_COLUMNS, [
        (line.id.hex, key, line.position, line.sku, line.name, str(line.quantity),
         _money(line.weight_kg), str(line.unit_price), str(line.amount_before_adjustments),
         str(line.amount), line.tax_class,
         json.dumps([a.model_dump(mode="json") for a in line.adjustments]),
         line.returns_line.hex if line.returns_line else None, _money(line.prior_price))
        for line in d.lines
    ])  # fmt: skip
    _insert(cursor, "sales_saletender", SALE_TENDER_COLUMNS, [
        (t.id.hex, key, str(t.method), str(t.amount), t.terminal_reference, t.card_last4)
        for t in d.tenders
    ])  # fmt: skip
    _insert(cursor, "sales_saletax", SALE_TAX_COLUMNS, [
        (key, t.tax_class, str(t.rate), t.inclusive, str(t.net), str(t.tax), str(t.gross))
        for t in d.taxes
    ])  # fmt: skip


def _insert(
    cursor: sqlite3.Cursor, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    if rows:
        placeholders = ", ".join(["?"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",  # noqa: S608 - our tables
            rows,
        )
