"""A Redis lease so a second beat or worker skips a push instead of repeating it.

Losing the lease (Redis flushed, lease expired) only means redundant work: HQ applies
each entry once whoever sends it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.conf import settings

logger = logging.getLogger(__name__)


@contextmanager
def sync_lease(name: str, *, ttl_seconds: int) -> Iterator[bool]:
    """Yield True when this process holds the lease (or Redis is down), False when another does."""
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    lock = client.lock(f"store_edge:lease:{name}", timeout=ttl_seconds, blocking=False)
    try:
        acquired = bool(lock.acquire())
    except redis.RedisError as exc:
        logger.warning("no lease for %s (Redis: %s); running anyway", name, exc)
        yield True
        return
    try:
        yield acquired
    finally:
        if acquired:
            try:
                lock.release()
            except redis.RedisError as exc:  # expired or Redis gone: harmless
                logger.info("lease %s not released: %s", name, exc)
        client.close()
