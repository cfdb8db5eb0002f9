"""Lane API at the counter: returns, the lane's shift and cash drawer, and what the lane's
devices report (scans and the live scale reading)."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

import redis
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from store_edge.sales import returns, shifts
from store_edge.sales.api import ErrorOut, SaleDetailOut
from store_edge.sales.auth import LANE_AUTH, pin_given_at, request_cashier, request_lane
from store_edge.sales.errors import InvalidItem
from store_edge.sales.models import LaneDevice
from store_edge.sales.peripherals import (
    device_health,
    relay,
    scale_key,
    scans_key,
    scans_since,
)
from store_edge.sales.selectors import sale_detail
from store_edge.sales.staff import supervisor_approval

router = Router(auth=LANE_AUTH, tags=["returns and shifts"])

SALE_NUMBER_PATTERN = r"^[0-9]{2,3}-[0-9]{7}$"


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


class ReturnLineIn(Schema):
    line_id: uuid.UUID
    quantity: Decimal = Field(gt=0, max_digits=9, decimal_places=3)


class ReturnIn(Schema):
    sale_number: str = Field(pattern=SALE_NUMBER_PATTERN)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=200)
    terminal_reference: str = Field(default="", max_length=64)
    card_last4: str = Field(default="", max_length=8)
    cashier: str = Field(default="", max_length=16, description="API clients: who serves")


class ReturnNoReceiptIn(Schema):
    code: str = Field(min_length=1, max_length=64)
    quantity: Decimal = Field(default=Decimal(1), gt=0, max_digits=9, decimal_places=3)
    supervisor: str = Field(min_length=1, max_length=16)
    pin: str = Field(min_length=1, max_length=16)
    cashier: str = Field(default="", max_length=16)


@router.get("/returns/sales/{number}", response={200: ReturnableSaleOut, 404: ErrorOut})
def returnable_sale(request: HttpRequest, number: str) -> dict[str, Any]:
    """A sale of this store by its receipt number, with what can still come back."""
    sale = returns.sale_by_number(number)
    left = returns.returnable(sale)
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


@router.post("/returns", response={201: SaleDetailOut, 404: ErrorOut, 422: Any})
def return_create(request: HttpRequest, body: ReturnIn) -> Status[Any]:
    """Take back lines of a sale, refunded as they were paid (card first, then cash)."""
    lane = request_lane(request)
    quantities: dict[uuid.UUID, Decimal] = {}
    for line in body.lines:
        if line.line_id in quantities:
            raise InvalidItem("each line once")
        quantities[line.line_id] = line.quantity
    sale = returns.return_with_receipt(
        lane=lane,
        sale_number=body.sale_number,
        lines=quantities,
        cashier=request_cashier(request, body.cashier),
        terminal_reference=body.terminal_reference,
        card_last4=body.card_last4,
    )
    return Status(201, sale_detail(sale_id=sale.id))


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
    return Status(201, sale_detail(sale_id=sale.id))


# Shifts -------------------------------------------------------------------------------


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


class ShiftOpenIn(Schema):
    opening_float: Decimal = Field(ge=0, max_digits=9, decimal_places=2)
    cashier: str = Field(default="", max_length=16, description="API clients: who opens it")


class CashMovementIn(Schema):
    kind: Literal["paid_in", "paid_out"]
    amount: Decimal = Field(gt=0, max_digits=9, decimal_places=2)
    reason: str = Field(min_length=3, max_length=200)


class ShiftCloseIn(Schema):
    counted_cash: Decimal = Field(ge=0, max_digits=9, decimal_places=2)


def _report(report: shifts.ShiftReport) -> dict[str, Any]:
    return {**report.as_json(), "variance": report.variance}


@router.get("/shifts/current", response={200: ShiftReportOut, 404: ErrorOut})
def shift_current(request: HttpRequest) -> Status[Any]:
    """The X report of the lane's open shift."""
    shift = shifts.shift_current(lane=request_lane(request))
    if shift is None:
        return Status(404, {"detail": "no shift is open on this lane"})
    return Status(200, _report(shifts.shift_report(shift=shift)))


@router.post("/shifts", response={201: ShiftReportOut, 409: ErrorOut, 422: Any})
def shift_open(request: HttpRequest, body: ShiftOpenIn) -> Status[Any]:
    lane = request_lane(request)
    cashier = request_cashier(request, body.cashier)
    if not cashier:
        raise InvalidItem("say who opens the shift (cashier)")
    shift = shifts.shift_open(lane=lane, cashier=cashier, opening_float=body.opening_float)
    return Status(201, _report(shifts.shift_report(shift=shift)))


@router.post("/shifts/current/cash", response={201: ShiftReportOut, 409: ErrorOut, 422: Any})
def shift_cash(request: HttpRequest, body: CashMovementIn) -> Status[Any]:
    """Cash paid into or out of the drawer, with its reason."""
    lane = request_lane(request)
    movement = shifts.cash_movement(lane=lane, kind=body.kind, amount=body.amount,
                                    reason=body.reason)  # fmt: skip
    return Status(201, _report(shifts.shift_report(shift=movement.shift)))


@router.post("/shifts/current/close", response={200: ShiftReportOut, 409: ErrorOut, 422: Any})
def shift_close(request: HttpRequest, body: ShiftCloseIn) -> Status[Any]:
    """Close the shift with the cash counted: the Z report."""
    lane = request_lane(request)
    report = shifts.shift_close(lane=lane, counted_cash=body.counted_cash,
                                user=request_cashier(request) or f"lane:{lane.number}")  # fmt: skip
    return Status(200, _report(report))


# The lane's devices -------------------------------------------------------------------


class PeripheralsQuery(Schema):
    since: float = Field(default=0, ge=0, description="scans after this time (epoch seconds)")


class ScanOut(Schema):
    code: str
    at: float


class DeviceOut(Schema):
    kind: str
    protocol: str
    connected: bool
    last_error: str


class PeripheralsOut(Schema):
    scans: list[ScanOut]
    scale: dict[str, Any] | None
    devices: list[DeviceOut]
    gateway: bool = Field(description="the device gateway's relay (Redis) answers")
    now: float


@router.get("/lane/peripherals", response=PeripheralsOut)
def lane_peripherals(request: HttpRequest, query: Query[PeripheralsQuery]) -> dict[str, Any]:
    """What the lane's scanner and scale said: scans since `since`, the scale's reading now,
    and each device's health. The page polls it a few times a second."""
    lane = request_lane(request)
    scans: list[dict[str, Any]] = []
    scale = None
    reachable = True
    try:
        pipe = relay().pipeline()
        pipe.lrange(scans_key(lane.number), 0, 19)
        pipe.get(scale_key(lane.number))
        raw_scans, raw_scale = pipe.execute()
        scans = scans_since(raw_scans, query.since)
        scale = json.loads(raw_scale) if raw_scale else None
    except (redis.RedisError, ValueError, KeyError, TypeError):
        reachable = False
    health = device_health() if reachable else {}
    devices = [
        {"kind": d.kind, "protocol": d.protocol,
         "connected": bool(health.get(d.id, {}).get("connected")),
         "last_error": str(health.get(d.id, {}).get("last_error", ""))[:200]}
        for d in LaneDevice.objects.filter(lane_id=lane.id, active=True)
    ]  # fmt: skip
    return {"scans": scans, "scale": scale, "devices": devices, "gateway": reachable,
            "now": time.time()}  # fmt: skip
