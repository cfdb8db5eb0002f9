"""A short Redis lease so a second beat or worker skips a push instead of repeating it.

The lease expires on its own when its holder dies (kill -9), so a new worker takes over
within `ttl_seconds`; a live holder renews it after every batch. Losing the lease
(Redis flushed or down) only means redundant work: HQ applies each entry once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.conf import settings
from redis.lock import Lock

logger = logging.getLogger(__name__)


class Lease:
    def __init__(self, lock: Lock | None, held: bool) -> None:
        self._lock = lock
        self.held = held

    def renew(self) -> None:
        """Restart the lease's time to live; harmless when Redis is gone."""
        if self._lock is None or not self.held:
            return
        try:
            self._lock.reacquire()
        except redis.RedisError as exc:
            logger.info("lease not renewed: %s", exc)


@contextmanager
def sync_lease(name: str, *, ttl_seconds: int) -> Iterator[Lease]:
    """Yield a Lease: `held` is False when another live process holds it."""
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    key = f"{settings.REDIS_KEY_PREFIX}:{settings.STORE_ID}:lease:{name}"
    lock = client.lock(key, timeout=ttl_seconds, blocking=False)
    try:
        acquired = bool(lock.acquire())
    except redis.RedisError as exc:
        logger.warning("no lease for %s (Redis: %s); running anyway", name, exc)
        client.close()
        yield Lease(None, True)
        return
    try:
        yield Lease(lock, acquired)
    finally:
        if acquired:
            try:
                lock.release()
            except redis.RedisError as exc:  # expired or Redis gone: harmless
                logger.info("lease %s not released: %s", name, exc)
        client.close()
