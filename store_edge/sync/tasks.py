"""Celery tasks: thin triggers around the sync services. Redis is never the storage."""

import logging

from celery import shared_task

from store_edge.sync import services
from store_edge.sync.client import HQRefused, HQUnreachable
from store_edge.sync.locks import sync_lease
from store_edge.sync.selectors import sync_state

logger = logging.getLogger(__name__)

LEASE_SECONDS = 30


@shared_task(acks_late=True, ignore_result=True)
def ledger_push(force: bool = False) -> None:
    """Push what HQ does not hold. Idempotent: HQ applies each seq once; a second beat or
    worker finds the lease taken and skips; the truth is re-read from SQLite each time."""
    if not services.sync_due(force=force):
        logger.info("backing off after failures; next try at %s", sync_state().next_attempt_at)
        return
    with sync_lease("push", ttl_seconds=LEASE_SECONDS) as lease:
        if not lease.held:
            logger.info("another worker is pushing; skipped")
            return
        try:
            with services.hq_client() as client:
                result = services.ledger_push(client=client, after_batch=lease.renew)
        except (HQUnreachable, HQRefused) as exc:
            logger.warning("push failed: %s", exc)
            return
        logger.info("pushed %s entries, HQ holds up to #%s", result.sent, result.acked_seq)


@shared_task(acks_late=True, ignore_result=True)
def config_pull(force: bool = False) -> None:
    if not services.sync_due(force=force):
        return
    with sync_lease("pull", ttl_seconds=LEASE_SECONDS) as lease:
        if not lease.held:
            return
        try:
            with services.hq_client() as client:
                version = services.config_pull(client=client)
        except (HQUnreachable, HQRefused, services.ConfigRejected) as exc:
            logger.warning("config pull failed: %s", exc)
            return
        if version:
            logger.info("config v%s applied", version)


@shared_task(acks_late=True, ignore_result=True, expires=60)
def heartbeat() -> None:
    """Tell HQ the store's edge metrics and alerts (every HEARTBEAT_SECONDS)."""
    from store_edge.sync.heartbeat import heartbeat_send

    try:
        with services.hq_client() as client:
            heartbeat_send(client=client)
    except (HQUnreachable, HQRefused) as exc:
        logger.info("heartbeat not delivered: %s", exc)
