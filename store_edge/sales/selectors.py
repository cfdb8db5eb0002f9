"""Reads of baskets and sales, shaped as the lane API answers them."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from store_edge.catalog.selectors import config_state
from store_edge.sales.errors import BasketNotFound, SaleNotFound
from store_edge.sales.models import Basket, Lane, Sale
from store_edge.sales.pricing import basket_price


def basket_detail(*, basket_id: uuid.UUID, lane: Lane) -> dict[str, Any]:
    """Return a basket priced by the engine: lines, totals, what is paid and what is due."""
    basket = Basket.objects.filter(id=basket_id, lane=lane).first()
    if basket is None:
        raise BasketNotFound(f"No basket {basket_id} on {lane}")
    lines = list(basket.lines.all())
    priced = basket_price(lines=lines)
    amounts = {p.line_id: p.amount for p in priced.lines}
    paid = sum((p.amount for p in basket.payments.all()), Decimal("0.00"))
    return {
        "id": basket.id,
        "status": basket.status,
        "lines": [
            {
                "id": line.id,
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "weight_kg": line.weight_kg,
                "unit_price": line.unit_price,
                "amount": amounts[str(line.id)],
                "adjustments": [],
            }
            for line in lines
        ],
        "subtotal": priced.subtotal,
        "discount_total": priced.discount_total,
        "tax_total": priced.tax_total,
        "total": priced.total,
        "amount_paid": paid,
        "amount_due": max(priced.total - paid, Decimal("0.00")),
        "config_version": config_state().version,
        "sale_id": basket.sale_id,
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
