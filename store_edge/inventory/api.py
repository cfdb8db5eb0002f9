"""Lane API: stock on hand of a SKU."""

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from store_edge.inventory.selectors import stock_on_hand
from store_edge.lanes.auth import LANE_AUTH

router = Router(auth=LANE_AUTH, tags=["stock"])


class MovementOut(Schema):
    seq: int
    kind: str
    quantity: Decimal
    created_at: datetime


class StockOut(Schema):
    sku: str
    on_hand: Decimal
    last_movement: MovementOut | None


@router.get("/stock/{sku}", response=StockOut)
def stock_get(request: HttpRequest, sku: str) -> StockOut:
    on_hand, last = stock_on_hand(sku=sku)
    return StockOut(
        sku=sku,
        on_hand=on_hand,
        last_movement=None
        if last is None or last.quantity is None
        else MovementOut(
            seq=last.seq, kind=last.kind, quantity=last.quantity, created_at=last.created_at
        ),
    )
