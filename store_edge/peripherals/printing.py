"""What a lane sends its receipt printer: print jobs kept in the store's database until the
printer has taken them (Redis only wakes the gateway up; a job it misses is found on its
next look), and what the lane is told of its printer."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import redis
from django.db import transaction

from store_edge.lanes.models import Lane
from store_edge.peripherals.models import DeviceKind, LaneDevice, PrintJob
from store_edge.peripherals.relay import lane_key, relay

logger = logging.getLogger(__name__)

WAKE_TTL_SECONDS = 60


def print_key(lane_number: int) -> str:
    return lane_key(lane_number, "print")


def lane_printer(lane: Lane) -> LaneDevice | None:
    return LaneDevice.objects.filter(lane_id=lane.id, kind=DeviceKind.PRINTER, active=True).first()


def queue_print(
    *,
    lane: Lane,
    what: str,
    document: dict[str, Any],
    drawer: bool = False,
    reference: str = "",
    sale_id: uuid.UUID | None = None,
) -> PrintJob | None:
    """Queue a receipt (or, with no document, a drawer kick) for the lane's printer; None
    when the lane has none (the page prints through the browser then)."""
    if lane_printer(lane) is None:
        return None
    with transaction.atomic():
        job = PrintJob.objects.create(lane=lane, what=what, document=document, drawer=drawer,
                                      reference=reference, sale_id=sale_id)  # fmt: skip
    wake(lane.number)
    return job


def print_again(*, lane: Lane, sale_id: uuid.UUID, reprint: dict[str, Any]) -> PrintJob | None:
    """ "Last receipt": a receipt held because the printer could not print it goes out as it
    was (it was never printed, so it is no reprint, and the drawer it opened stays shut);
    one that printed goes out again as `reprint`, marked as such."""
    held = PrintJob.objects.filter(lane=lane, sale_id=sale_id, state=PrintJob.State.HELD).last()
    if held is not None:
        PrintJob.objects.filter(id=held.id).update(state=PrintJob.State.QUEUED, drawer=False)
        wake(lane.number)
        return held
    return queue_print(lane=lane, what="reprint", document=reprint,
                       reference=str(reprint.get("barcode", "")), sale_id=sale_id)  # fmt: skip


def wake(lane_number: int) -> None:
    """Tell the gateway a job waits (best effort: it looks at the queue every second)."""
    try:
        client = relay()
        pipe = client.pipeline()
        pipe.rpush(print_key(lane_number), "1")
        pipe.expire(print_key(lane_number), WAKE_TTL_SECONDS)
        pipe.execute()
    except redis.RedisError:
        logger.info("the gateway was not woken for lane %s: it finds the job itself", lane_number)


def printer_news(lane: Lane) -> dict[str, Any]:
    """What the lane's page shows of its printer: the receipts waiting or held, the last
    job's outcome."""
    jobs = PrintJob.objects.filter(lane=lane)
    last = jobs.exclude(what="drawer").order_by("-id").first()
    return {
        "waiting": jobs.filter(state=PrintJob.State.QUEUED).count(),
        "held": jobs.filter(state=PrintJob.State.HELD).count(),
        "last": None if last is None else {
            "id": last.id, "reference": last.reference, "state": last.state,
            "error": last.last_error, "sale_id": last.sale_id,
        },
    }  # fmt: skip
