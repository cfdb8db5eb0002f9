"""Lane API: what the lane's devices report (scans, the live scale reading, health)."""

import json
import time
from typing import Any

import redis
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from store_edge.lanes.auth import LANE_AUTH, request_lane
from store_edge.peripherals.models import LaneDevice
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
