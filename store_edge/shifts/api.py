"""Lane API: the lane's shift and its cash drawer (X and Z reports, paid in and out)."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import BaseModel

from deploy.web.api_errors import ErrorOut
from store_edge.lanes.auth import LANE_AUTH, request_cashier, request_lane
from store_edge.shifts import reports, selectors, services
from store_edge.shifts.errors import InvalidAmount

router = Router(auth=LANE_AUTH, tags=["shifts"])


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


class ShiftOpenIn(BaseModel):
    opening_float: Decimal = Field(ge=0, max_digits=9, decimal_places=2)
    cashier: str = Field(default="", max_length=16, description="API clients: who opens it")


class CashMovementIn(BaseModel):
    kind: Literal["paid_in", "paid_out"]
    amount: Decimal = Field(gt=0, max_digits=9, decimal_places=2)
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
    """Cash paid into or out of the drawer, with its reason."""
    lane = request_lane(request)
    movement = services.cash_movement(lane=lane, kind=body.kind, amount=body.amount,
                                    reason=body.reason)  # fmt: skip
    return Status(201, _report(reports.shift_report(shift=movement.shift)))


@router.post("/shifts/current/close", response={200: ShiftReportOut, 409: ErrorOut, 422: Any})
def shift_close(request: HttpRequest, body: ShiftCloseIn) -> Status[Any]:
    """Close the shift with the cash counted: the Z report."""
    lane = request_lane(request)
    report = services.shift_close(lane=lane, counted_cash=body.counted_cash,
                                user=request_cashier(request) or f"lane:{lane.number}")  # fmt: skip
    return Status(200, _report(report))
