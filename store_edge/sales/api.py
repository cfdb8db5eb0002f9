"""Lane API: completing a basket as a sale, the sales of the store, and returns."""

import uuid
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import BaseModel

from deploy.web.api_errors import ErrorOut
from store_edge.baskets.api import AdjustmentOut
from store_edge.baskets.errors import InvalidItem
from store_edge.baskets.services import lane_terminal_applied
from store_edge.lanes.auth import LANE_AUTH, pin_given_at, request_cashier, request_lane
from store_edge.peripherals import pole, terminal
from store_edge.peripherals.api import TerminalPaymentOut
from store_edge.peripherals.models import TerminalPayment
from store_edge.peripherals.terminal import refuse_while_open
from store_edge.sales import returns, selectors, services
from store_edge.sales.receipts import print_receipt, print_receipt_again
from store_edge.staff.services import supervisor_approval

router = Router(auth=LANE_AUTH, tags=["sales and returns"])

SALE_NUMBER_PATTERN = r"^[0-9]{2,3}-[0-9]{7}$"


class SaleLineOut(Schema):
    id: uuid.UUID
    position: int
    sku: str
    name: str
    quantity: Decimal
    weight_kg: Decimal | None
    unit_price: Decimal
    base_amount: Decimal
    amount: Decimal
    tax_class: str
    adjustments: list[AdjustmentOut]


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
    cash_rounding: Decimal
    receipt_printer: str = Field(
        default="",
        description="what became of the receipt on the lane's printer: queued, no printer "
        "(print it from the page), not queued (print it with Last receipt); empty when the "
        "sale was completed before (a repeated request prints nothing)",
    )


class PrintOut(Schema):
    receipt_printer: str = Field(description="queued, or no printer")


class SaleDetailOut(SaleOut):
    lines: list[SaleLineOut]
    tenders: list[TenderOut]
    taxes: list[TaxOut]


@router.post(
    "/baskets/{basket_id}/complete",
    response={200: SaleOut, 201: SaleOut, 404: ErrorOut, 409: ErrorOut},
)
def basket_complete(request: HttpRequest, basket_id: uuid.UUID) -> Status[Any]:
    lane = request_lane(request)
    cashier = request_cashier(request)
    # What the terminal approved is the basket's before it is sold; nothing is sold while
    # the terminal may still be charging a card.
    lane_terminal_applied(lane)
    refuse_while_open(lane)
    sale, created = services.sale_complete(
        basket_id=basket_id, lane=lane, user=cashier or f"lane:{lane.number}", cashier=cashier
    )
    if not created:
        return Status(200, sale)
    printed = print_receipt(sale=sale, lane=lane)
    pole.show_sale(lane, total=sale.total, change=sale.change)
    return Status(201, SaleOut.model_validate(sale).model_copy(update={"receipt_printer": printed}))


@router.get("/sales/{sale_id}", response={200: SaleDetailOut, 404: ErrorOut})
def sale_get(request: HttpRequest, sale_id: uuid.UUID) -> Any:
    return selectors.sale_detail(sale_id=sale_id)


@router.post("/sales/{sale_id}/print", response={202: PrintOut, 404: ErrorOut})
def sale_print(request: HttpRequest, sale_id: uuid.UUID) -> Status[Any]:
    """Print a sale's receipt on the lane's printer ("Last receipt"): the one held because
    the printer could not print it, as it was; otherwise a copy marked as a reprint."""
    sale = selectors.sale_detail(sale_id=sale_id)
    return Status(
        202, {"receipt_printer": print_receipt_again(sale=sale, lane=request_lane(request))}
    )


# Returns ------------------------------------------------------------------------------


class ReturnableLineOut(Schema):
    id: uuid.UUID
    sku: str
    name: str
    quantity: Decimal
    weight_kg: Decimal | None
    amount: Decimal
    returnable: Decimal = Field(description="pieces, or kg for a weighed line")


class ReturnableSaleOut(Schema):
    id: uuid.UUID
    number: str
    completed_at: datetime
    total: Decimal
    tenders: dict[str, Decimal]
    lines: list[ReturnableLineOut]


class ReturnLineIn(BaseModel):
    line_id: uuid.UUID
    quantity: Decimal = Field(gt=0, max_digits=9, decimal_places=3)


class ReturnIn(BaseModel):
    sale_number: str = Field(pattern=SALE_NUMBER_PATTERN)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=200)
    terminal_reference: str = Field(default="", max_length=64)
    card_last4: str = Field(default="", max_length=8)
    terminal_refund: uuid.UUID | None = Field(
        default=None, description="the lane terminal's approved refund of the card's part"
    )
    cashier: str = Field(default="", max_length=16, description="API clients: who serves")


class ReturnNoReceiptIn(BaseModel):
    code: str = Field(min_length=1, max_length=64)
    quantity: Decimal = Field(default=Decimal(1), gt=0, max_digits=9, decimal_places=3)
    supervisor: str = Field(min_length=1, max_length=16)
    pin: str = Field(min_length=1, max_length=16)
    cashier: str = Field(default="", max_length=16)


@router.get("/returns/sales/{number}", response={200: ReturnableSaleOut, 404: ErrorOut})
def returnable_sale(request: HttpRequest, number: str) -> dict[str, Any]:
    """A sale of this store by its receipt number, with what can still come back."""
    sale = selectors.sale_by_number(number)
    left = selectors.returnable(sale)
    tenders: dict[str, Decimal] = {}
    for tender in sale.tenders.all():
        tenders[tender.method] = tenders.get(tender.method, Decimal("0.00")) + tender.amount
    return {
        "id": sale.id,
        "number": sale.number,
        "completed_at": sale.completed_at,
        "total": sale.total,
        "tenders": tenders,
        "lines": [
            {
                "id": line.id,
                "sku": line.sku,
                "name": line.name,
                "quantity": line.quantity,
                "weight_kg": line.weight_kg,
                "amount": line.amount,
                "returnable": left[line.id],
            }
            for line in sale.lines.all()
        ],  # fmt: skip
    }


@router.post(
    "/returns",
    response={200: SaleDetailOut, 201: SaleDetailOut, 202: TerminalPaymentOut,
              402: TerminalPaymentOut, 404: ErrorOut, 409: ErrorOut, 422: Any},
)  # fmt: skip
def return_create(request: HttpRequest, body: ReturnIn) -> Status[Any]:
    """Take back lines of a sale, refunded as they were paid (card first, then cash). On a
    lane with a payment terminal the card's part is refunded on the terminal, for the
    till's amount: the return is recorded (201) once the terminal approves; while it has
    not answered, 202 gives the refund to follow at /terminal-payments/{id}, and the same
    return sent again with `terminal_refund` records it (a return already recorded for that
    refund is answered as it is, 200); a refund the terminal declined is 402."""
    lane = request_lane(request)
    quantities: dict[uuid.UUID, Decimal] = {}
    for line in body.lines:
        if line.line_id in quantities:
            raise InvalidItem("each line once")
        quantities[line.line_id] = line.quantity
    if body.terminal_refund is not None:
        done = returns.recorded_return(lane=lane, refund_id=body.terminal_refund)
        if done is not None:
            detail = SaleDetailOut.model_validate(selectors.sale_detail(sale_id=done.id))
            return Status(200, detail)
        refund = terminal.wait_for(terminal.payment_of(body.terminal_refund, lane=lane))
        if refund.state != TerminalPayment.State.APPROVED:
            return _refund_answer(refund)
    take = partial(returns.return_with_receipt, lane=lane, sale_number=body.sale_number,
                   lines=quantities, cashier=request_cashier(request, body.cashier))  # fmt: skip
    try:
        sale = take(terminal_reference=body.terminal_reference, card_last4=body.card_last4,
                    terminal_refund=body.terminal_refund)  # fmt: skip
    except returns.RefundOnTerminal as card:
        started = terminal.start_payment(lane=lane, basket_id=None, amount=card.amount,
                                         what="refund")  # fmt: skip
        refund = terminal.wait_for(started)
        if refund.state != TerminalPayment.State.APPROVED:
            return _refund_answer(refund)
        sale = take(terminal_refund=refund.id)
    return _with_receipt(sale, print_receipt(sale=sale, lane=lane))


def _refund_answer(refund: TerminalPayment) -> Status[Any]:
    status = 402 if refund.state == TerminalPayment.State.DECLINED else 202
    return Status(status, terminal.describe(refund))


@router.post(
    "/returns/without-receipt",
    response={201: SaleDetailOut, 403: ErrorOut, 404: ErrorOut, 422: Any, 429: ErrorOut},
)
def return_without_receipt(request: HttpRequest, body: ReturnNoReceiptIn) -> Status[Any]:
    """Take an item back without a receipt: today's price, in cash, a supervisor approves."""
    lane = request_lane(request)
    approver = supervisor_approval(
        code=body.supervisor, pin=body.pin, where=pin_given_at(request, lane)
    )
    sale = returns.return_without_receipt(
        lane=lane,
        code=body.code,
        quantity=body.quantity,
        approver=approver,
        cashier=request_cashier(request, body.cashier),
    )
    return _with_receipt(sale, print_receipt(sale=sale, lane=lane))


def _with_receipt(sale: Any, printed: str) -> Status[Any]:
    detail = SaleDetailOut.model_validate(selectors.sale_detail(sale_id=sale.id))
    return Status(201, detail.model_copy(update={"receipt_printer": printed}))
