"""Lane API: what the lane's devices report (scans, the live scale reading, health, the card
payment under way at its terminal)."""

import json
import time
import uuid
from decimal import Decimal
from typing import Any

import redis
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from store_edge.lanes.auth import LANE_AUTH, request_lane
from store_edge.peripherals import terminal
from store_edge.peripherals.models import DeviceKind, LaneDevice
from store_edge.peripherals.printing import printer_news
from store_edge.peripherals.relay import device_health, relay, scale_key, scans_key, scans_since

router = Router(auth=LANE_AUTH, tags=["lane devices"])


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
    printer: dict[str, bool] | None = Field(
        default=None, description="a printer's status: online, cover_open, paper_out, "
        "paper_near_end, drawer_pin_high, error"
    )  # fmt: skip


class PrintJobOut(Schema):
    id: int
    reference: str
    state: str = Field(description="queued, printed, or held (the printer could not print it)")
    error: str
    sale_id: str | None


class PrintingOut(Schema):
    waiting: int
    held: int
    last: PrintJobOut | None


class TerminalPaymentOut(Schema):
    """A card payment at the lane's terminal: what the terminal shows, then its outcome."""

    id: uuid.UUID
    basket_id: uuid.UUID | None
    what: str = Field(description="payment, refund (a return's card part) or end_of_day")
    amount: Decimal
    state: str = Field(description="pending, sent (at the terminal), approved, declined "
                       "(not charged), unknown (checking the terminal), unresolved")  # fmt: skip
    prompt: str = Field(description="what the terminal shows the customer now")
    message: str = Field(description="why declined or unknown")
    card_type: str
    card_last4: str
    reference: str


class PeripheralsOut(Schema):
    scans: list[ScanOut]
    scale: dict[str, Any] | None
    devices: list[DeviceOut]
    printing: PrintingOut | None = Field(
        default=None, description="the lane's receipts on its printer (none without one)"
    )
    card_payment: TerminalPaymentOut | None = Field(
        default=None, description="the lane's card payment under way or unknown at its "
        "terminal (the page takes no other payment meanwhile)"
    )  # fmt: skip
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
    rows = list(LaneDevice.objects.filter(lane_id=lane.id, active=True))
    devices = [
        {"kind": d.kind, "protocol": d.protocol,
         "connected": bool(health.get(d.id, {}).get("connected")),
         "last_error": str(health.get(d.id, {}).get("last_error", ""))[:200],
         "printer": _printer_status(health.get(d.id, {}).get("printer"))}
        for d in rows
    ]  # fmt: skip
    printing = printer_news(lane) if any(d.kind == DeviceKind.PRINTER for d in rows) else None
    if printing and printing["last"]:
        printing["last"]["sale_id"] = str(printing["last"]["sale_id"] or "") or None
    open_payment = terminal.open_payment(lane) if any(
        d.kind == DeviceKind.TERMINAL for d in rows) else None  # fmt: skip
    return {"scans": scans, "scale": scale, "devices": devices, "printing": printing,
            "card_payment": terminal.describe(open_payment) if open_payment else None,
            "gateway": reachable, "now": time.time()}  # fmt: skip


def _printer_status(raw: Any) -> dict[str, bool] | None:
    if not isinstance(raw, dict):
        return None
    return {str(k)[:20]: bool(v) for k, v in list(raw.items())[:8]}
