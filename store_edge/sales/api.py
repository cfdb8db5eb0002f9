"""Lane API: baskets, items, payments, completion, and sales."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema, Status

from store_edge.sales import selectors, services
from store_edge.sales.auth import LaneTokenAuth, request_lane

router = Router(auth=LaneTokenAuth(), tags=["sales"])


class AdjustmentOut(Schema):
    promotion: str
    amount: Decimal
    reason: str


class BasketLineOut(Schema):
    id: uuid.UUID
    sku: str
    name: str
    quantity: Decimal
    weight_kg: Decimal | None
    unit_price: Decimal
    amount: Decimal
    adjustments: list[AdjustmentOut]


class BasketOut(Schema):
    id: uuid.UUID
    status: str
    lines: list[BasketLineOut]
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    amount_paid: Decimal
    amount_due: Decimal
    config_version: int
    sale_id: uuid.UUID | None


class AddItemIn(Schema):
    code: str = Field(min_length=1, max_length=64, examples=["4006381333931"])
    quantity: int | None = Field(default=None, ge=1, le=services.MAX_QUANTITY)
    weight_kg: Decimal | None = Field(default=None, gt=0, max_digits=6, decimal_places=3)


class PaymentIn(Schema):
    method: str = Field(max_length=16, examples=["cash"])
    amount: Decimal = Field(gt=0, max_digits=9, decimal_places=2, examples=["20.00"])


class SaleLineOut(Schema):
    id: uuid.UUID
    position: int
    sku: str
    name: str
    quantity: Decimal
    weight_kg: Decimal | None
    unit_price: Decimal
    amount: Decimal
    tax_class: str


class TenderOut(Schema):
    id: uuid.UUID
    method: str
    amount: Decimal


class TaxOut(Schema):
    tax_class: str
    rate: Decimal
    inclusive: bool
    net: Decimal
    tax: Decimal
    gross: Decimal


class SaleOut(Schema):
    id: uuid.UUID
    number: str
    lane: int = Field(alias="lane.number")
    completed_at: datetime
    config_version: int
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    amount_paid: Decimal
    change: Decimal


class SaleDetailOut(SaleOut):
    lines: list[SaleLineOut]
    tenders: list[TenderOut]
    taxes: list[TaxOut]


class ErrorOut(Schema):
    detail: str


def _basket(detail: dict[str, Any], status: int = 200) -> JsonResponse:
    # The basket is answered on every scan: it is built JSON-ready (amounts as strings)
    # and sent as is; tests check it against BasketOut, the documented schema.
    return JsonResponse(detail, status=status)


@router.post("/baskets", response={201: BasketOut})
def basket_create(request: HttpRequest) -> JsonResponse:
    lane = request_lane(request)
    basket = services.basket_open(lane=lane)
    detail = selectors.basket_detail(basket_id=basket.id, lane=lane, open_basket=True)
    return _basket(detail, status=201)


@router.get("/baskets/{basket_id}", response={200: BasketOut, 404: ErrorOut})
def basket_get(request: HttpRequest, basket_id: uuid.UUID) -> JsonResponse:
    return _basket(selectors.basket_detail(basket_id=basket_id, lane=request_lane(request)))


@router.post(
    "/baskets/{basket_id}/items", response={200: BasketOut, 404: ErrorOut, 409: ErrorOut, 422: Any}
)
def basket_item_add(request: HttpRequest, basket_id: uuid.UUID, item: AddItemIn) -> JsonResponse:
    lane = request_lane(request)
    version = services.basket_add_item(
        basket_id=basket_id,
        lane=lane,
        code=item.code,
        quantity=item.quantity,
        weight_kg=item.weight_kg,
    )
    return _basket(
        selectors.basket_detail(
            basket_id=basket_id, lane=lane, open_basket=True, config_version=version
        )
    )


@router.delete(
    "/baskets/{basket_id}/items/{line_id}", response={200: BasketOut, 404: ErrorOut, 409: ErrorOut}
)
def basket_item_remove(
    request: HttpRequest, basket_id: uuid.UUID, line_id: uuid.UUID
) -> JsonResponse:
    lane = request_lane(request)
    services.basket_remove_line(basket_id=basket_id, lane=lane, line_id=line_id)
    return _basket(selectors.basket_detail(basket_id=basket_id, lane=lane))


@router.post(
    "/baskets/{basket_id}/payments",
    response={200: BasketOut, 404: ErrorOut, 409: ErrorOut, 422: Any},
)
def basket_payment_add(
    request: HttpRequest, basket_id: uuid.UUID, payment: PaymentIn
) -> JsonResponse:
    lane = request_lane(request)
    services.basket_add_payment(
        basket_id=basket_id, lane=lane, method=payment.method, amount=payment.amount
    )
    return _basket(selectors.basket_detail(basket_id=basket_id, lane=lane))


@router.post(
    "/baskets/{basket_id}/complete",
    response={200: SaleOut, 201: SaleOut, 404: ErrorOut, 409: ErrorOut},
)
def basket_complete(request: HttpRequest, basket_id: uuid.UUID) -> Status[Any]:
    lane = request_lane(request)
    sale, created = services.sale_complete(
        basket_id=basket_id, lane=lane, user=f"lane:{lane.number}"
    )
    return Status(201 if created else 200, sale)


@router.get("/sales/{sale_id}", response={200: SaleDetailOut, 404: ErrorOut})
def sale_get(request: HttpRequest, sale_id: uuid.UUID) -> Any:
    return selectors.sale_detail(sale_id=sale_id)
