"""Reads of baskets, shaped as the lane API answers them."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone

from store_edge.baskets.errors import BasketNotFound
from store_edge.baskets.models import Basket, BasketStatus
from store_edge.baskets.pricing import (
    adjustments_wire,
    amount_due,
    basket_price,
    line_prior_price,
)
from store_edge.baskets.scan_path import basket_lines, basket_state
from store_edge.catalog.selectors import config_stamp
from store_edge.lanes.models import Lane
from store_edge.raw_sqlite import raw_cursor


def basket_detail(
    *,
    basket_id: uuid.UUID,
    lane: Lane,
    stamp: tuple[int, str] | None = None,
) -> dict[str, Any]:
    """Return a basket priced by the engine, ready for JSON: lines with their adjustments,
    totals, what is paid, what is due (exact) and what is due in cash (rounded where the
    store rounds cash).
    Priced with the config `stamp` (the one a scan just read), else the one in force."""
    with raw_cursor() as cursor:
        state = basket_state(cursor, basket_id=basket_id, lane_id=lane.id)
        if state is None:
            raise BasketNotFound(f"No basket {basket_id} on {lane}")
        lines = basket_lines(cursor, basket_id=basket_id)
    payments = list(state.payments)
    stamp = stamp or config_stamp()  # one read of the config for the whole answer
    priced = basket_price(lines=lines, state=state, stamp=stamp)
    by_line = {p.line_id: p for p in priced.lines}
    paid = sum((amount for _, amount in payments), Decimal("0.00"))
    cash_total = amount_due(total=priced.total, payments=[*payments, ("cash", Decimal(0))],
                            stamp=stamp)  # fmt: skip
    # Settled: what was paid covers the total as the tenders taken settle it (cash rounding
    # when each was cash). Until then, what is due is exact (what a card pays), and what is
    # due in cash is rounded where the store rounds cash.
    settled = bool(payments) and paid >= amount_due(total=priced.total, payments=payments,
                                                    stamp=stamp)  # fmt: skip
    zero = Decimal("0.00")
    now = timezone.now()
    return {
        "id": str(basket_id),
        "status": state.status,
        "lines": [
            {
                "id": str(uuid.UUID(line.id)),
                "sku": line.sku,
                "name": line.name,
                "quantity": str(line.quantity),
                "weight_kg": None if line.weight_kg is None else str(line.weight_kg),
                "unit_price": str(line.unit_price),
                "amount": str(by_line[line.id].amount),
                "adjustments": adjustments_wire(by_line[line.id].adjustments),
                "prior_price": _text(
                    line_prior_price(line=line, priced=by_line[line.id], stamp=stamp, at=now)
                ),
            }
            for line in lines
        ],
        "subtotal": str(priced.subtotal),
        "discount_total": str(priced.discount_total),
        "taxes": [
            {
                "tax_class": t.code,
                "rate": f"{t.rate.normalize():f}",
                "inclusive": t.inclusive,
                "net": str(t.net),
                "tax": str(t.tax),
                "gross": str(t.gross),
            }
            for t in priced.taxes
        ],  # fmt: skip
        "tax_total": str(priced.tax_total),
        "total": str(priced.total),
        "cash_total": str(cash_total),
        "amount_paid": str(paid),
        "amount_due": str(zero if settled else max(priced.total - paid, zero)),
        "cash_due": str(zero if settled else max(cash_total - paid, zero)),
        "member_card": state.member_card,
        "coupons": list(state.coupons),
        "config_version": stamp[0],
        "sale_id": None if state.sale_id is None else str(uuid.UUID(state.sale_id)),
    }


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def baskets_in(*, status: str, lane: Lane) -> list[dict[str, Any]]:
    """Suspended baskets of the whole store, or this lane's open ones."""
    baskets = Basket.objects.filter(status=status).annotate(line_count=Count("lines"))
    if status != BasketStatus.SUSPENDED:
        baskets = baskets.filter(lane_id=lane.id)
    return [
        {"id": b.id, "status": b.status, "created_at": b.created_at, "lines": b.line_count}
        for b in baskets.order_by("-created_at")[:50]
    ]
