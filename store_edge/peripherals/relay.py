"""What the device gateway tells the store through Redis: each lane's latest scale reading,
its scans, and every device's health. Redis is a relay here, never storage: a reading lives
a few seconds, and a lost scan is scanned again."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from typing import Any

import redis
from django.conf import settings
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from devices.scales import Reading, ScaleUnsellable, sellable_weight
from store_edge.lanes.models import Lane
from store_edge.peripherals.errors import ScaleNotReady, WeightNeeded
from store_edge.peripherals.models import DeviceKind, LaneDevice

READING_TTL_SECONDS = 5
SCANS_KEPT = 50
# A scan Redis takes later than this after it was read is not rung: the cashier, who saw
# nothing happen, has scanned the item again.
SCAN_FRESH_SECONDS = 3.0

# A scan is stamped with Redis' own clock as Redis takes it, strictly after the scan before
# it: the page's cursor (`since`) then never skips a scan that arrived late from one scanner
# after another scanner's, and a scan's lateness is known. Microseconds are written as text
# (Lua prints large numbers with 14 digits).
_PUBLISH_SCAN = """
local t = redis.call('TIME')
local at = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if at <= last then at = last + 1 end
redis.call('SET', KEYS[2], string.format('%d', at))
local message = cjson.encode({code = ARGV[1], id = ARGV[2], read_at = tonumber(ARGV[3]),
  at = string.format('%d.%06d', math.floor(at / 1000000), at % 1000000)})
redis.call('LPUSH', KEYS[1], message)
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[4]) - 1)
redis.call('PUBLISH', KEYS[1], message)
return message
"""


def _prefix() -> str:
    return f"{settings.REDIS_KEY_PREFIX}:{settings.STORE_ID or 'store'}"


def store_key(what: str) -> str:
    """A Redis key of this store's: every key of the relay starts so."""
    return f"{_prefix()}:{what}"


def lane_key(lane_number: int, what: str) -> str:
    """A Redis key of one lane's (its scale, scans, print jobs, terminal, pole display)."""
    return store_key(f"lane:{lane_number}:{what}")


def scale_key(lane_number: int) -> str:
    return lane_key(lane_number, "scale")


def scans_key(lane_number: int) -> str:
    return lane_key(lane_number, "scans")


def health_key() -> str:
    return f"{_prefix()}:devices"


@cache
def relay() -> redis.Redis:
    """The store's side of the relay: short timeouts, so that a lane request never waits on
    a Redis that is away (it answers "the scale cannot be read now" instead)."""
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)


@cache
def gateway_relay() -> redis.Redis:
    """The gateway's side: it gives a busy Redis a second and retries a dropped connection
    once before calling the relay away (a scan's own retries are the gateway's)."""
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=1,
        socket_connect_timeout=1,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
    )


def forget_clients() -> None:
    """Drop both clients, so that the next use connects to settings.REDIS_URL afresh."""
    relay.cache_clear()
    gateway_relay.cache_clear()
    _scan_script.cache_clear()


@contextmanager
def _publishing() -> Iterator[redis.Redis]:
    """The gateway's client, with every way a broken connection shows turned into a
    RedisError: redis-py can surface one as an OSError or as a ValueError from its closed
    read buffer, which a device worker must not take for its device failing."""
    client = gateway_relay()
    try:
        yield client
    except redis.RedisError:
        raise
    except (OSError, ValueError) as exc:
        client.connection_pool.disconnect(inuse_connections=False)
        raise redis.ConnectionError(f"the relay connection broke: {exc}") from exc


def publish_reading(lane_number: int, reading: Reading) -> None:
    with _publishing() as client:
        client.set(scale_key(lane_number), json.dumps(reading.as_json()), ex=READING_TTL_SECONDS)


def publish_scan(
    lane_number: int, code: str, read_at: float | None = None, scan_id: str | None = None
) -> None:
    """Put a scan on the lane's list (and tell whoever listens). `read_at` is when the
    scanner read it and `scan_id` names it: a copy relayed again is recognised by its id."""
    read_at = time.time() if read_at is None else read_at
    with _publishing() as client:
        _scan_script(client)(keys=[scans_key(lane_number), f"{scans_key(lane_number)}:last"],
                             args=[code, scan_id or uuid.uuid4().hex, repr(read_at),
                                   SCANS_KEPT])  # fmt: skip


@cache
def _scan_script(client: redis.Redis) -> Any:
    """The publishing script, sent to Redis once and then called by its digest (EVALSHA)."""
    return client.register_script(_PUBLISH_SCAN)


def scans_since(raw_scans: list[bytes], since: float) -> list[dict[str, Any]]:
    """The scans to ring from the lane's list (newest first, as kept): those Redis took after
    `since`, each once (a copy relayed again after a lost answer is dropped) and only if
    Redis took it while the cashier still waited for it."""
    seen: set[str] = set()
    scans = []
    for raw in reversed(raw_scans):
        scan = json.loads(raw)
        scan_id, at = str(scan.get("id", "")), float(scan["at"])
        if scan_id in seen:
            continue
        seen.add(scan_id)
        late = at - float(scan.get("read_at", at)) > SCAN_FRESH_SECONDS
        if at > since and not late:
            scans.append({"code": str(scan["code"])[:64], "at": at})
    return scans


def publish_health(device_id: int, health: dict[str, Any]) -> None:
    with _publishing() as client:
        client.hset(health_key(), str(device_id), json.dumps(health))


def device_health() -> dict[int, dict[str, Any]]:
    """Every device's health as the gateway last reported it (empty when Redis is away)."""
    try:
        raw = relay().hgetall(health_key())
    except redis.RedisError:
        return {}
    return {int(k): json.loads(v) for k, v in raw.items()}


def lane_scale_weight(lane: Lane) -> Decimal:
    """Return the stable weight on the lane's scale now, or raise WeightNeeded or
    ScaleNotReady saying why not."""
    if not LaneDevice.objects.filter(lane_id=lane.id, kind=DeviceKind.SCALE, active=True).exists():
        raise WeightNeeded("weigh it first: this lane has no scale, give the weight")
    try:
        raw = relay().get(scale_key(lane.number))
    except redis.RedisError as exc:
        raise ScaleNotReady("the scale cannot be read now (device gateway unreachable)") from exc
    if raw is None:
        raise ScaleNotReady("the scale is not answering: check that it is on and connected")
    try:
        return sellable_weight(Reading.from_json(json.loads(raw)))
    except ScaleUnsellable as exc:
        raise ScaleNotReady(str(exc)) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise ScaleNotReady("the scale sent something unreadable") from exc
