"""What a lane's pole display shows the customer: the last line scanned and the total, what
is paid and what is left, the change and a thank-you, then a welcome. The lane's request
writes the screen to Redis (the latest one wins: a display shows now, never a backlog) and
wakes the gateway, which writes it to the display. A lane without a pole display does
nothing here; a Redis that is away costs a scan nothing (the screen is skipped)."""

from __future__ import annotations

import json
import logging
import time
from decimal import Decimal
from typing import Any

import redis

from devices.displays import centred, two_columns
from store_edge.catalog.selectors import config_state
from store_edge.lanes.models import Lane
from store_edge.peripherals.models import DeviceKind, LaneDevice
from store_edge.peripherals.relay import lane_key, relay

logger = logging.getLogger(__name__)

KNOWN_SECONDS = 5.0  # how long a worker trusts what it knows of a lane having a display
THANKS_SECONDS = 20  # the thank-you stays this long, then the welcome
WAKE_TTL_SECONDS = 60

_known: dict[int, tuple[float, bool]] = {}


def pole_key(lane_number: int) -> str:
    return lane_key(lane_number, "pole")


def pole_wake_key(lane_number: int) -> str:
    return pole_key(lane_number) + ":wake"


def lane_has_pole(lane: Lane) -> bool:
    """Whether the lane has an active pole display (known for a few seconds at a time, so
    that a scan asks the database nothing more)."""
    now = time.monotonic()
    known = _known.get(lane.id)
    if known is not None and now - known[0] < KNOWN_SECONDS:
        return known[1]
    has = LaneDevice.objects.filter(lane_id=lane.id, kind=DeviceKind.DISPLAY, active=True).exists()
    _known[lane.id] = (now, has)
    return has


def forget_poles() -> None:
    """Ask the database again at the next screen (a display was attached or removed)."""
    _known.clear()


def welcome() -> tuple[str, str]:
    return centred("Welcome"), centred(config_state().store_name or "")


def basket_screen(basket: dict[str, Any]) -> tuple[str, str] | None:
    """The basket as the customer should see it; None for the welcome."""
    lines = basket.get("lines") or []
    if basket.get("status") != "open" or not lines:
        return None
    paid = Decimal(basket.get("amount_paid") or 0)
    if paid > 0:
        return two_columns("Paid", str(paid)), two_columns("To pay", basket["amount_due"])
    last = lines[-1]
    name = last["name"]
    if last.get("weight_kg") is not None:
        name = f"{last['weight_kg']} kg {name}"
    elif (quantity := Decimal(last.get("quantity") or 1)) > 1:
        name = f"{quantity.normalize():f} x {name}"
    return two_columns(name, last["amount"]), two_columns("Total", basket["total"])


def sale_screen(total: Decimal, change: Decimal) -> tuple[str, str]:
    top = two_columns("Change", str(change)) if change > 0 else two_columns("Total", str(total))
    return top, centred("Thank you")


def show_basket(lane: Lane, basket: dict[str, Any]) -> None:
    try:
        if lane_has_pole(lane):
            _show(lane.number, *(basket_screen(basket) or welcome()))
    except Exception:  # noqa: BLE001 - what the customer sees never fails a scan
        logger.exception("lane %s: no screen for the pole display", lane.number)


def show_sale(lane: Lane, *, total: Decimal, change: Decimal) -> None:
    try:
        if lane_has_pole(lane):
            _show(lane.number, *sale_screen(total, change), then=welcome(), after=THANKS_SECONDS)
    except Exception:  # noqa: BLE001 - the sale is done; what the customer sees cannot undo it
        logger.exception("lane %s: no screen for the pole display", lane.number)


def _show(lane_number: int, top: str, bottom: str, *, then: tuple[str, str] | None = None,
          after: int = 0) -> None:  # fmt: skip
    screen = {"top": top, "bottom": bottom, "then": list(then) if then else None,
              "after": after, "at": time.time()}  # fmt: skip
    wake = pole_wake_key(lane_number)
    try:
        pipe = relay().pipeline(transaction=False)
        pipe.set(pole_key(lane_number), json.dumps(screen))
        pipe.lpush(wake, 1)
        pipe.ltrim(wake, 0, 0)
        pipe.expire(wake, WAKE_TTL_SECONDS)
        pipe.execute()
    except (redis.RedisError, OSError) as exc:  # the customer misses a screen; the sale goes on
        logger.warning("lane %s: the pole display's screen was not sent: %s", lane_number, exc)


def screen_for(client: redis.Redis, lane_number: int, now: float, fallback: tuple[str, str]
               ) -> tuple[str, str]:  # fmt: skip
    """What the lane's display should show now (the gateway's side): the latest screen, or
    what follows it once its time is up, or `fallback` when the lane has shown nothing."""
    raw = client.get(pole_key(lane_number))
    if not raw:
        return fallback
    try:
        screen = json.loads(raw)
        top, bottom = str(screen["top"]), str(screen["bottom"])
        then, after, at = screen.get("then"), float(screen.get("after") or 0), float(screen["at"])
    except (ValueError, KeyError, TypeError):
        return fallback
    if then and now - at >= after:
        return str(then[0]), str(then[1])
    return top, bottom
