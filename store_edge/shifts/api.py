"""Lane API: the lane's shift and its cash drawer (X and Z reports, paid in and out, no
sale), and the card terminal's end of day with the Z report."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import BaseModel

from deploy.web.api_errors import ErrorOut
from store_edge.lanes.auth import LANE_AUTH, request_cashier, request_lane
from store_edge.peripherals import terminal
from store_edge.shifts import reports, selectors, services
from store_edge.shifts.errors import InvalidAmount, ShiftError

router = Router(auth=LANE_AUTH, tags=["shifts"])

# A terminal's end of day, within the web worker's timeout; past it the Z report says so (the
# end of day goes on at the terminal and its outcome is kept with the lane's card payments).
END_OF_DAY_WAIT_SECONDS = 20.0


class ShiftReportOut(Schema):
    shift_id: uuid.UUID
    lane: int
    cashier: str
    opened_at: datetime
    closed_at: datetime | None
    sales: int
    returns: int
    sales_total: Decimal
    returns_total: Decimal
    tenders: dict[str, Decimal]
    opening_float: Decimal
    paid_in: Decimal
    paid_out: Decimal
    expected_cash: Decimal
    counted_cash: Decimal | None
    variance: Decimal | None
    drawer_openings: int = Field(description="cash sales and refunds, paid in, paid out, no sale")
    no_sales: int
    card_terminal: dict[str, Any] | None = Field(
        default=None, description="the Z report on a lane with a card terminal: its end of day "
        "(state done / not done, terminal_total) against the shift's card_tenders, the "
        "difference, and the unresolved card payments"
    )  # fmt: skip


class ShiftOpenIn(BaseModel):
    opening_float: Decimal = Field(ge=0, max_digits=9, decimal_places=2)
    cashier: str = Field(default="", max_length=16, description="API clients: who opens it")


class CashMovementIn(BaseModel):
    kind: Literal["paid_in", "paid_out", "no_sale"]
    amount: Decimal = Field(default=Decimal("0.00"), ge=0, max_digits=9, decimal_places=2,
                            description="paid in or out: more than 0; no sale: 0.00")  # fmt: skip
    reason: str = Field(min_length=3, max_length=200)


class ShiftCloseIn(BaseModel):
    counted_cash: Decimal = Field(ge=0, max_digits=9, decimal_places=2)


def _report(report: reports.ShiftReport) -> dict[str, Any]:
    return {**report.as_json(), "variance": report.variance}


@router.get("/shifts/current", response={200: ShiftReportOut, 404: ErrorOut})
def shift_current(request: HttpRequest) -> Status[Any]:
    """The X report of the lane's open shift."""
    shift = selectors.shift_current(lane=request_lane(request))
    if shift is None:
        return Status(404, {"detail": "no shift is open on this lane"})
    return Status(200, _report(reports.shift_report(shift=shift)))


@router.post("/shifts", response={201: ShiftReportOut, 409: ErrorOut, 422: Any})
def shift_open(request: HttpRequest, body: ShiftOpenIn) -> Status[Any]:
    lane = request_lane(request)
    cashier = request_cashier(request, body.cashier)
    if not cashier:
        raise InvalidAmount("say who opens the shift (cashier)")
    shift = services.shift_open(lane=lane, cashier=cashier, opening_float=body.opening_float)
    return Status(201, _report(reports.shift_report(shift=shift)))


@router.post("/shifts/current/cash", response={201: ShiftReportOut, 409: ErrorOut, 422: Any})
def shift_cash(request: HttpRequest, body: CashMovementIn) -> Status[Any]:
    """Cash paid into or out of the drawer, or the drawer opened for no sale, with its
    reason: the drawer opens through the lane's printer."""
    lane = request_lane(request)
    movement = services.cash_movement(lane=lane, kind=body.kind, amount=body.amount,
                                      reason=body.reason,
                                      by=request_cashier(request) or "")  # fmt: skip
    return Status(201, _report(reports.shift_report(shift=movement.shift)))


@router.post("/shifts/current/close", response={200: ShiftReportOut, 409: ErrorOut, 422: Any})
def shift_close(request: HttpRequest, body: ShiftCloseIn) -> Status[Any]:
    """Close the shift with the cash counted: the Z report. On a lane with a card terminal
    the terminal's end of day runs first (refused while a card payment is under way) and
    its total is compared with the shift's card tenders."""
    lane = request_lane(request)
    if selectors.shift_current(lane=lane) is None:
        raise ShiftError("no shift is open on this lane")
    end_of_day = None
    if terminal.lane_terminal(lane) is not None:
        end_of_day = terminal.wait_for(
            terminal.start_payment(lane=lane, basket_id=None, amount=Decimal("0.00"),
                                   what="end_of_day"),
            seconds=END_OF_DAY_WAIT_SECONDS,
        )  # fmt: skip
    report = services.shift_close(lane=lane, counted_cash=body.counted_cash,
                                  user=request_cashier(request) or f"lane:{lane.number}",
                                  end_of_day=end_of_day)  # fmt: skip
    return Status(200, _report(report))
