"""Lane API: baskets, their items and payments."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from pydantic import BaseModel
from pydantic_core import to_json

from deploy.web.api_errors import ErrorOut
from store_edge.baskets import selectors, services
from store_edge.baskets.scan_rules import MAX_QUANTITY
from store_edge.lanes.auth import LANE_AUTH, pin_given_at, request_lane
from store_edge.lanes.models import Lane
from store_edge.peripherals import pole, terminal
from store_edge.peripherals.api import TerminalPaymentOut
from store_edge.peripherals.models import TerminalPayment
from store_edge.staff.services import supervisor_approval

router = Router(auth=LANE_AUTH, tags=["baskets"])


class AdjustmentOut(Schema):
    promotion: str = Field(description="the promotion's code, or override / discount")
    amount: Decimal = Field(description="what the customer saves on the line")
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
    prior_price: Decimal | None = Field(
        default=None,
        description="where the line's price is reduced (a price book reduction, or a percent "
        "or amount promotion): the lowest price of the 30 days before the reduction, as HQ "
        "published it (EU Omnibus directive); null otherwise",
    )


class BasketTaxOut(Schema):
    """One tax class of the basket, as the receipt will show it: the tax is worked out once
    per class on the lines' amounts after adjustments, rounded half up to the cent."""

    tax_class: str
    rate: Decimal = Field(description="a fraction, e.g. 0.19 or 0.08875 (8.875 %)")
    inclusive: bool = Field(
        description="true: the lines' amounts include the tax (VAT), gross is their sum; "
        "false: the tax comes on top (sales tax), net is their sum and gross adds the tax"
    )
    net: Decimal
    tax: Decimal
    gross: Decimal


class BasketOut(Schema):
    id: uuid.UUID
    status: str
    lines: list[BasketLineOut]
    subtotal: Decimal = Field(description="the lines' amounts before adjustments")
    discount_total: Decimal
    taxes: list[BasketTaxOut]
    tax_total: Decimal = Field(description="the tax of every class, included or on top")
    total: Decimal = Field(
        description="what the customer pays, exact: subtotal - discount_total + the tax of "
        "the classes whose tax comes on top"
    )
    cash_total: Decimal = Field(description="the total when paid in cash (cash rounding)")
    amount_paid: Decimal
    amount_due: Decimal = Field(
        description="what is still due, exact: what a card (or any tender but cash) pays; "
        "0.00 once what was paid settles the sale"
    )
    cash_due: Decimal = Field(
        description="what is still due when the rest is paid in cash: amount_due, rounded to "
        "the store's cash increment while every tender of the sale is cash"
    )
    member_card: str
    coupons: list[str]
    config_version: int
    sale_id: uuid.UUID | None


class AddItemIn(BaseModel):
    code: str = Field(min_length=1, max_length=64, examples=["4006381333931"])
    quantity: int | None = Field(default=None, ge=1, le=MAX_QUANTITY)
    weight_kg: Decimal | None = Field(default=None, gt=0, max_digits=6, decimal_places=3)


class MemberIn(BaseModel):
    card: str = Field(min_length=1, max_length=64)


class CouponIn(BaseModel):
    code: str = Field(min_length=1, max_length=64)


class LineChangeIn(BaseModel):
    """A price override or a discount on one line, approved by a supervisor's PIN."""

    price: Decimal | None = Field(default=None, ge=0, max_digits=9, decimal_places=2)
    discount_percent: Decimal | None = Field(default=None, gt=0, le=100, decimal_places=2)
    discount_amount: Decimal | None = Field(default=None, gt=0, max_digits=9, decimal_places=2)
    reason: str = Field(min_length=1, max_length=200)
    supervisor: str = Field(min_length=1, max_length=16)
    pin: str = Field(min_length=1, max_length=16)


class PaymentIn(BaseModel):
    method: str = Field(max_length=16, examples=["cash"])
    amount: Decimal = Field(gt=0, max_digits=9, decimal_places=2, examples=["20.00"])
    terminal_reference: str = Field(default="", max_length=64, description="card: the terminal's")
    card_last4: str = Field(default="", max_length=8, description="card: last four digits only")
    id: uuid.UUID | None = Field(
        default=None, description="chosen by the client: the same payment sent twice counts once"
    )


class ReleaseIn(BaseModel):
    supervisor: str = Field(min_length=1, max_length=16)
    pin: str = Field(min_length=1, max_length=16)


class QuantityIn(BaseModel):
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


def _basket(detail: dict[str, Any], status: int = 200, *, shown_on: Lane | None = None
            ) -> HttpResponse:  # fmt: skip
    # The basket is answered on every scan: it is built JSON-ready (amounts as strings)
    # and sent as is; tests check it against BasketOut, the documented schema. A change
    # is shown on the lane's pole display, if it has one.
    if shown_on is not None:
        pole.show_basket(shown_on, detail)
    return HttpResponse(to_json(detail), status=status, content_type="application/json")


@router.post("/baskets", response={201: BasketOut})
def basket_create(request: HttpRequest) -> HttpResponse:
    lane = request_lane(request)
    basket = services.basket_open(lane=lane)
    detail = selectors.basket_detail(basket_id=basket.id, lane=lane)
    return _basket(detail, status=201, shown_on=lane)


class BasketSummaryOut(Schema):
    id: uuid.UUID
    status: str
    created_at: datetime
    lines: int


@router.get("/baskets", response=list[BasketSummaryOut])
def baskets_list(request: HttpRequest, status: str = "suspended") -> list[dict[str, Any]]:
    """Baskets of the store in a status (suspended ones can be resumed on any lane)."""
    return selectors.baskets_in(status=status, lane=request_lane(request))


@router.post(
    "/baskets/{basket_id}/suspend", response={200: BasketOut, 404: ErrorOut, 409: ErrorOut}
)
def basket_suspend(request: HttpRequest, basket_id: uuid.UUID) -> HttpResponse:
    lane = request_lane(request)
    services.basket_suspend(basket_id=basket_id, lane=lane)
    return _basket(selectors.basket_detail(basket_id=basket_id, lane=lane), shown_on=lane)


@router.post("/baskets/{basket_id}/resume", response={200: BasketOut, 404: ErrorOut})
def basket_resume(request: HttpRequest, basket_id: uuid.UUID) -> HttpResponse:
    lane = request_lane(request)
    services.basket_resume(basket_id=basket_id, lane=lane)
    return _basket(selectors.basket_detail(basket_id=basket_id, lane=lane), shown_on=lane)


@router.get("/baskets/{basket_id}", response={200: BasketOut, 404: ErrorOut})
def basket_get(request: HttpRequest, basket_id: uuid.UUID) -> HttpResponse:
    return _basket(selectors.basket_detail(basket_id=basket_id, lane=request_lane(request)))


@router.post(
    "/baskets/{basket_id}/items", response={200: BasketOut, 404: ErrorOut, 409: ErrorOut, 422: Any}
)
def basket_item_add(request: HttpRequest, basket_id: uuid.UUID, item: AddItemIn) -> HttpResponse:
    lane = request_lane(request)
    stamp = services.basket_add_item(
        basket_id=basket_id,
        lane=lane,
        code=item.code,
        quantity=item.quantity,
        weight_kg=item.weight_kg,
    )
    return _basket(
        selectors.basket_detail(basket_id=basket_id, lane=lane, stamp=stamp), shown_on=lane
    )


@router.delete(
    "/baskets/{basket_id}/items/{line_id}", response={200: BasketOut, 404: ErrorOut, 409: ErrorOut}
)
def basket_item_remove(
    request: HttpRequest, basket_id: uuid.UUID, line_id: uuid.UUID
) -> HttpResponse:
    lane = request_lane(request)
    services.basket_remove_line(basket_id=basket_id, lane=lane, line_id=line_id)
    return _basket(selectors.basket_detail(basket_id=basket_id, lane=lane), shown_on=lane)


@router.post(
    "/baskets/{basket_id}/items/{line_id}/quantity",
    response={200: BasketOut, 404: ErrorOut, 409: ErrorOut, 422: Any},
)
def basket_line_quantity(
    request: HttpRequest, basket_id: uuid.UUID, line_id: uuid.UUID, body: QuantityIn
) -> HttpResponse:
    lane = request_lane(request)
    services.basket_set_quantity(
        basket_id=basket_id, lane=lane, line_id=line_id, quantity=body.quantity
    )
    return _basket(selectors.basket_detail(basket_id=basket_id, lane=lane), shown_on=lane)


@router.post(
    "/baskets/{basket_id}/payments",
    response={200: BasketOut, 404: ErrorOut, 409: ErrorOut, 422: Any},
)
def basket_payment_add(
    request: HttpRequest, basket_id: uuid.UUID, payment: PaymentIn
) -> HttpResponse:
    """Record a tender. On a lane with a payment terminal, a card payment is `{"method":
    "card", "amount": …}` and nothing else: the till sends the amount to the terminal and
    answers the basket when the terminal approves at once (200), the terminal payment when
    it declines (402) or is still under way or unknown (202: follow it at
    /terminal-payments/{id})."""
    lane = request_lane(request)
    if payment.method == "card" and not payment.terminal_reference and not payment.card_last4:
        if terminal.lane_terminal(lane) is not None:
            started = services.basket_pay_by_terminal(basket_id=basket_id, lane=lane,
                                                      amount=payment.amount,
                                                      payment_id=payment.id)  # fmt: skip
            return _terminal_answer(terminal.wait_for(started), lane=lane)
    services.basket_add_payment(
        basket_id=basket_id,
        lane=lane,
        method=payment.method,
        amount=payment.amount,
        terminal_reference=payment.terminal_reference,
        card_last4=payment.card_last4,
        payment_id=payment.id,
    )
    return _basket(selectors.basket_detail(basket_id=basket_id, lane=lane), shown_on=lane)


def _terminal_answer(payment: TerminalPayment, *, lane: Any) -> HttpResponse:
    if payment.state == TerminalPayment.State.APPROVED and payment.basket_id:
        services.basket_terminal_applied(basket_id=payment.basket_id, lane=lane)
        return _basket(
            selectors.basket_detail(basket_id=payment.basket_id, lane=lane), shown_on=lane
        )
    status = 402 if payment.state == TerminalPayment.State.DECLINED else 202
    return HttpResponse(to_json(terminal.describe(payment)), status=status,
                        content_type="application/json")  # fmt: skip


@router.get(
    "/terminal-payments/{payment_id}",
    response={200: TerminalPaymentOut, 404: ErrorOut},
)
def terminal_payment_get(request: HttpRequest, payment_id: uuid.UUID) -> dict[str, Any]:
    """A card payment at the lane's terminal as it stands (the page follows it while the
    customer pays); once approved, it is the basket's tender."""
    lane = request_lane(request)
    payment = terminal.payment_of(payment_id, lane=lane)
    if payment.state == TerminalPayment.State.APPROVED and payment.basket_id:
        services.basket_terminal_applied(basket_id=payment.basket_id, lane=lane)
    return terminal.describe(payment)


@router.post(
    "/terminal-payments/{payment_id}/release",
    response={200: TerminalPaymentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
)
def terminal_payment_release(request: HttpRequest, payment_id: uuid.UUID,
                             body: ReleaseIn) -> dict[str, Any]:  # fmt: skip
    """A supervisor lets the lane go on while the terminal cannot say whether a card was
    charged: the payment stays on record as unresolved, for the terminal's end of day."""
    lane = request_lane(request)
    approver = supervisor_approval(code=body.supervisor, pin=body.pin,
                                   where=pin_given_at(request, lane))  # fmt: skip
    return terminal.describe(
        terminal.release(payment_id=payment_id, lane=lane, supervisor=approver.code)
    )


@router.post(
    "/baskets/{basket_id}/loyalty",
    response={200: BasketOut, 404: ErrorOut, 409: ErrorOut, 422: Any},
)
def basket_loyalty(request: HttpRequest, basket_id: uuid.UUID, member: MemberIn) -> HttpResponse:
    lane = request_lane(request)
    services.basket_set_member(basket_id=basket_id, lane=lane, card=member.card)
    return _basket(selectors.basket_detail(basket_id=basket_id, lane=lane), shown_on=lane)


@router.post(
    "/baskets/{basket_id}/coupons",
    response={200: BasketOut, 404: ErrorOut, 409: ErrorOut, 422: Any},
)
def basket_coupon(request: HttpRequest, basket_id: uuid.UUID, coupon: CouponIn) -> HttpResponse:
    lane = request_lane(request)
    services.basket_add_coupon(basket_id=basket_id, lane=lane, code=coupon.code)
    return _basket(selectors.basket_detail(basket_id=basket_id, lane=lane), shown_on=lane)


@router.post(
    "/baskets/{basket_id}/items/{line_id}/change",
    response={200: BasketOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: Any, 429: ErrorOut},
)
def basket_line_change(
    request: HttpRequest, basket_id: uuid.UUID, line_id: uuid.UUID, change: LineChangeIn
) -> HttpResponse:
    lane = request_lane(request)
    approver = supervisor_approval(
        code=change.supervisor, pin=change.pin, where=pin_given_at(request, lane)
    )
    services.basket_line_change(
        basket_id=basket_id,
        lane=lane,
        line_id=line_id,
        approver=approver,
        reason=change.reason,
        override_price=change.price,
        discount_percent=change.discount_percent,
        discount_amount=change.discount_amount,
    )
    return _basket(selectors.basket_detail(basket_id=basket_id, lane=lane), shown_on=lane)
