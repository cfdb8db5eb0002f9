"""Reads of baskets and sales, shaped as the lane API answers them."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.db import connection

from store_edge.catalog.selectors import config_stamp
from store_edge.sales.errors import BasketNotFound, SaleNotFound
from store_edge.sales.models import BasketStatus, Lane, Sale
from store_edge.sales.pricing import basket_price
from store_edge.sales.sql import basket_lines, basket_payments, basket_state


def basket_detail(
    *,
    basket_id: uuid.UUID,
    lane: Lane,
    open_basket: bool = False,
    config_version: int | None = None,
) -> dict[str, Any]:
    """Return a basket priced by the engine, ready for JSON: lines, totals, paid and due.

    A caller that has just edited the basket knows it is open (`open_basket`) and which
    config priced it, and saves the queries.
    """
    status: str = BasketStatus.OPEN
    sale_id: str | None = None
    with connection.cursor() as cursor:
        if not open_basket:
            state = basket_state(cursor, basket_id=basket_id, lane_id=lane.id)
            if state is None:
                raise BasketNotFound(f"No basket {basket_id} on {lane}")
            status, sale_id = state
        lines = basket_lines(cursor, basket_id=basket_id)
        paid = sum((amount for _, amount in basket_payments(cursor, basket_id=basket_id)),
                   Decimal("0.00"))  # fmt: skip
    priced = basket_price(lines=lines)
    amounts = {p.line_id: p.amount for p in priced.lines}
    return {
        "id": str(basket_id),
        "status": status,
        "lines": [
            {
                "id": str(uuid.UUID(line.id)),
                "sku": line.sku,
                "name": line.name,
                "quantity": str(line.quantity),
                "weight_kg": None if line.weight_kg is None else str(line.weight_kg),
                "unit_price": str(line.unit_price),
                "amount": str(amounts[line.id]),
                "adjustments": [],
            }
            for line in lines
        ],
        "subtotal": str(priced.subtotal),
        "discount_total": str(priced.discount_total),
        "tax_total": str(priced.tax_total),
        "total": str(priced.total),
        "amount_paid": str(paid),
        "amount_due": str(max(priced.total - paid, Decimal("0.00"))),
        "config_version": config_stamp()[0] if config_version is None else config_version,
        "sale_id": None if sale_id is None else str(uuid.UUID(sale_id)),
    }


def sale_detail(*, sale_id: uuid.UUID) -> Sale:
    """Return a sale with its lines, tenders and taxes."""
    sale = (
        Sale.objects.select_related("lane")
        .prefetch_related("lines", "tenders", "taxes")
        .filter(id=sale_id)
        .first()
    )
    if sale is None:
        raise SaleNotFound(f"No sale {sale_id}")
    return sale
