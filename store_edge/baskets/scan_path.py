"""The SQL of the paths a cashier waits on: a scan, and reading a basket to price it or to
complete it as a sale.

Written by hand on purpose, on SQLite's own cursor (store_edge.raw_sqlite): compiling an
ORM query costs more than SQLite's whole work on these paths (measured by `make bench`),
and a scan must not make a cashier wait. The tables are the models' own; tests go through
both this and the ORM.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from store_edge.baskets.scan_rules import GRAM
from store_edge.sqlite_values import decimal_of

CENT = Decimal("0.01")
RATE = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class LineRow:
    id: str
    sku: str
    name: str
    quantity: Decimal
    weight_kg: Decimal | None
    unit_price: Decimal
    tax_class: str
    tax_rate: Decimal
    tax_inclusive: bool
    category: str = ""
    embedded_price: Decimal | None = None
    override_price: Decimal | None = None
    discount_percent: Decimal | None = None
    discount_amount: Decimal | None = None
    change_reason: str = ""
    approved_by: str = ""

    @property
    def sold_quantity(self) -> Decimal:
        """Kilograms for a weighed line, pieces otherwise."""
        return self.weight_kg if self.weight_kg is not None else self.quantity


@dataclass(frozen=True, slots=True)
class BasketState:
    status: str
    sale_id: str | None
    member_card: str
    coupons: tuple[str, ...]
    payments: tuple[tuple[str, Decimal], ...] = ()  # (method, amount), in the order taken


def basket_state(
    cursor: sqlite3.Cursor, *, basket_id: uuid.UUID, lane_id: int
) -> BasketState | None:
    """Return the status, sale, loyalty card, coupons and payments of a lane's basket, or
    None (one query: the basket joined to its payments)."""
    cursor.execute(
        "SELECT b.status, b.sale_id, b.member_card, b.coupons, p.method, p.amount"
        " FROM sales_basket b LEFT JOIN sales_basketpayment p ON p.basket_id = b.id"
        " WHERE b.id = ? AND b.lane_id = ? ORDER BY p.created_at",
        [basket_id.hex, lane_id],
    )
    rows = cursor.fetchall()
    if not rows:
        return None
    status, sale_id, member_card, coupons = rows[0][:4]
    payments = tuple((row[4], decimal_of(row[5], CENT)) for row in rows if row[4] is not None)
    return BasketState(status, sale_id, member_card, tuple(json.loads(coupons or "[]")), payments)


def basket_lines(cursor: sqlite3.Cursor, *, basket_id: uuid.UUID) -> list[LineRow]:
    cursor.execute(
        "SELECT id, sku, name, quantity, weight_kg, unit_price, tax_class, tax_rate,"
        " tax_inclusive, category, override_price, discount_percent, discount_amount,"
        " change_reason, approved_by, embedded_price"
        " FROM sales_basketline WHERE basket_id = ? ORDER BY position",
        [basket_id.hex],
    )
    return [
        LineRow(
            id=row[0],
            sku=row[1],
            name=row[2],
            quantity=decimal_of(row[3], GRAM),
            weight_kg=None if row[4] is None else decimal_of(row[4], GRAM),
            unit_price=decimal_of(row[5], CENT),
            tax_class=row[6],
            tax_rate=decimal_of(row[7], RATE),
            tax_inclusive=bool(row[8]),
            category=row[9],
            override_price=None if row[10] is None else decimal_of(row[10], CENT),
            discount_percent=None if row[11] is None else decimal_of(row[11], CENT),
            discount_amount=None if row[12] is None else decimal_of(row[12], CENT),
            change_reason=row[13],
            approved_by=row[14],
            embedded_price=None if row[15] is None else decimal_of(row[15], CENT),
        )
        for row in cursor.fetchall()
    ]


@dataclass(frozen=True, slots=True)
class TenderRow:
    method: str
    amount: Decimal
    terminal_reference: str
    card_last4: str


def basket_tenders(cursor: sqlite3.Cursor, *, basket_id: uuid.UUID) -> list[TenderRow]:
    cursor.execute(
        "SELECT method, amount, terminal_reference, card_last4 FROM sales_basketpayment"
        " WHERE basket_id = ? ORDER BY created_at",
        [basket_id.hex],
    )
    return [TenderRow(m, decimal_of(a, CENT), ref, last4) for m, a, ref, last4 in cursor.fetchall()]


def line_append(
    cursor: sqlite3.Cursor,
    *,
    basket_id: uuid.UUID,
    lane_id: int,
    values: dict[str, Any],
) -> bool:
    """Append a line to the basket if it is open on this lane; return whether it was added."""
    columns = list(values)
    cursor.execute(
        f"INSERT INTO sales_basketline (id, basket_id, position, {', '.join(columns)})"  # noqa: S608 - column names are ours
        " SELECT ?, b.id, COALESCE((SELECT MAX(position) FROM sales_basketline"
        "  WHERE basket_id = b.id), 0) + 1, " + ", ".join(["?"] * len(columns)) +
        " FROM sales_basket b WHERE b.id = ? AND b.lane_id = ? AND b.status = 'open'",
        [uuid.uuid4().hex, *values.values(), basket_id.hex, lane_id],
    )  # fmt: skip
    added: bool = cursor.rowcount == 1
    return added
