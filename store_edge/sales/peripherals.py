"""What the device gateway tells the store through Redis: each lane's latest scale reading,
its scans, and every device's health. Redis is a relay here, never storage: a reading lives
a few seconds, and a lost scan is scanned again."""

from __future__ import annotations

import json
import time
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
from store_edge.sales.errors import ScaleNotReady, WeightNeeded
from store_edge.sales.models import DeviceKind, Lane, LaneDevice

READING_TTL_SECONDS = 5
SCANS_KEPT = 50


def _prefix() -> str:
    return f"{settings.REDIS_KEY_PREFIX}:{settings.STORE_ID or 'store'}"


def scale_key(lane_number: int) -> str:
    return f"{_prefix()}:lane:{lane_number}:scale"


def scans_key(lane_number: int) -> str:
    return f"{_prefix()}:lane:{lane_number}:scans"


def health_key() -> str:
    return f"{_prefix()}:devices"


@cache
def relay() -> redis.Redis:
    """The store's side of the relay: short timeouts, so that a lane request never waits on
    a Redis that is away (it answers "the scale cannot be read now" instead)."""
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5)


@cache
def gateway_relay() -> redis.Redis:
    """The gateway's side: nobody waits on it, so it gives a busy Redis time and retries a
    dropped connection before calling the relay away."""
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=2,
        socket_connect_timeout=2,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 3),
    )


def forget_clients() -> None:
    """Drop both clients, so that the next use connects to settings.REDIS_URL afresh."""
    relay.cache_clear()
    gateway_relay.cache_clear()


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
        client.connection_pool.disconnect()
        raise redis.ConnectionError(f"the relay connection broke: {exc}") from exc


def publish_reading(lane_number: int, reading: Reading) -> None:
    with _publishing() as client:
        client.set(scale_key(lane_number), json.dumps(reading.as_json()), ex=READING_TTL_SECONDS)


def publish_scan(lane_number: int, code: str, at: float | None = None) -> None:
    """Put a scan on the lane's list (and tell whoever listens); `at` is when it was read."""
    message = json.dumps({"code": code, "at": time.time() if at is None else at})
    with _publishing() as client:
        pipe = client.pipeline()
        pipe.lpush(scans_key(lane_number), message)
        pipe.ltrim(scans_key(lane_number), 0, SCANS_KEPT - 1)
        pipe.publish(scans_key(lane_number), message)
        pipe.execute()


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
    """Return the stable weight on the lane's scale now, or raise InvalidItem saying why not."""
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
