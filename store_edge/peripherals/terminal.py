"""Card payments on a lane's terminal, as the till asks for them: a payment is a row in the
store's database that the gateway (which owns the terminal's line) carries out; the lane
waits a moment for its outcome and otherwise follows it. Redis only wakes the gateway and
the waiting request; what was charged is in the database.

A lane takes no other payment while one of its card payments is pending, at the terminal,
or unknown (the gateway is checking the terminal): a card is never charged twice."""

from __future__ import annotations

import logging
import time
import uuid
from decimal import Decimal
from typing import Any

import redis
from django.db import transaction
from django.utils import timezone

from deploy.web.card_numbers import holds_card_number
from store_edge.errors import Conflict, NotFound
from store_edge.lanes.models import Lane
from store_edge.peripherals.models import DeviceKind, LaneDevice, TerminalPayment
from store_edge.peripherals.relay import lane_key, relay, store_key

logger = logging.getLogger(__name__)

PROMPT_TTL_SECONDS = 180
WAIT_SECONDS = 2.0  # what a payment request waits for the terminal before answering 202


class TerminalBusy(Conflict):
    code = "terminal_busy"


class TerminalPaymentNotFound(NotFound):
    pass


def work_key(lane_number: int) -> str:
    return lane_key(lane_number, "terminal")


def done_key(payment_id: uuid.UUID) -> str:
    return store_key(f"terminal:{payment_id.hex}")


def prompt_key(lane_number: int) -> str:
    return lane_key(lane_number, "terminal:prompt")


def lane_terminal(lane: Lane) -> LaneDevice | None:
    return LaneDevice.objects.filter(lane_id=lane.id, kind=DeviceKind.TERMINAL, active=True).first()


def open_payment(lane: Lane) -> TerminalPayment | None:
    """The lane's card payment still under way or unknown, if any."""
    return TerminalPayment.objects.filter(lane=lane, state__in=TerminalPayment.OPEN_STATES).first()


def refuse_while_open(lane: Lane) -> None:
    """Refuse anything that takes a payment while the terminal may be charging a card, or
    has charged one that is not its basket's tender yet (the callers record it first)."""
    open_one = open_payment(lane)
    if open_one is None:
        approved = TerminalPayment.objects.filter(lane=lane, applied=False, basket_id__isnull=False,
                                                  state=TerminalPayment.State.APPROVED)  # fmt: skip
        if approved.exists():
            raise TerminalBusy("the terminal has just approved a card payment: try again")
        return
    if open_one.state == TerminalPayment.State.UNKNOWN:
        raise TerminalBusy("checking the terminal: the last card payment's outcome is not "
                           "known yet (a supervisor can release it)")  # fmt: skip
    raise TerminalBusy("a card payment is under way at the terminal")


def start_payment(*, lane: Lane, basket_id: uuid.UUID | None, amount: Decimal,
                  what: str = "payment",
                  payment_id: uuid.UUID | None = None) -> TerminalPayment:  # fmt: skip
    """Ask the lane's terminal for `amount` (the till's figure, never typed)."""
    with transaction.atomic():
        refuse_while_open(lane)
        payment = TerminalPayment.objects.create(id=payment_id or uuid.uuid4(), lane=lane,
                                                 basket_id=basket_id, amount=amount,
                                                 what=what)  # fmt: skip
    _push(work_key(lane.number))
    return payment


def wait_for(payment: TerminalPayment, seconds: float | None = None) -> TerminalPayment:
    """The payment once the terminal has answered, or as it stands after `seconds`."""
    ends = time.monotonic() + (WAIT_SECONDS if seconds is None else seconds)
    while True:
        payment.refresh_from_db()
        left = ends - time.monotonic()
        if payment.state not in (TerminalPayment.State.PENDING, TerminalPayment.State.SENT):
            return payment
        if left <= 0:
            return payment
        try:
            relay().blpop([done_key(payment.id)], timeout=max(0.05, min(left, 1.0)))
        except redis.RedisError:
            time.sleep(min(left, 0.1))


def payment_of(payment_id: uuid.UUID, *, lane: Lane) -> TerminalPayment:
    payment = TerminalPayment.objects.filter(id=payment_id, lane=lane).first()
    if payment is None:
        raise TerminalPaymentNotFound(f"no card payment {payment_id} on this lane")
    return payment


def prompt_of(lane: Lane) -> str:
    """What the terminal shows the customer now (empty when nothing, or Redis is away)."""
    try:
        raw = relay().get(prompt_key(lane.number))
    except redis.RedisError:
        return ""
    if not raw:
        return ""
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
    return text[:80]


def describe(payment: TerminalPayment) -> dict[str, Any]:
    """A card payment as the lane sees it (JSON-ready): while it is open, what the terminal
    shows the customer."""
    open_now = payment.state in TerminalPayment.OPEN_STATES
    return {"id": str(payment.id), "basket_id": str(payment.basket_id or "") or None,
            "what": payment.what, "amount": f"{payment.amount}", "state": payment.state,
            "prompt": prompt_of(payment.lane) if open_now else "",
            "message": payment.message, "card_type": payment.card_type,
            "card_last4": payment.card_last4, "reference": payment.reference}  # fmt: skip


def release(*, payment_id: uuid.UUID, lane: Lane, supervisor: str) -> TerminalPayment:
    """A supervisor lets the lane go on although the terminal never said whether the card
    was charged: the payment stays on record as unresolved, for the end of day."""
    with transaction.atomic():
        payment = payment_of(payment_id, lane=lane)
        if payment.state != TerminalPayment.State.UNKNOWN:
            raise Conflict(f"this payment is {payment.get_state_display()}: nothing to release")
        payment.state, payment.released_by = TerminalPayment.State.UNRESOLVED, supervisor
        payment.finished_at = timezone.now()
        payment.save(update_fields=["state", "released_by", "finished_at"])
    logger.warning("card payment %s of %s on lane %s released unresolved by %s", payment.id,
                   payment.amount, lane.number, supervisor)  # fmt: skip
    return payment


def safe_lines(lines: list[str]) -> list[str]:
    """A terminal's receipt lines as the store keeps them: a line holding what looks like a
    card number has its digits hidden (the terminal should mask them; it is not trusted)."""
    kept = []
    for line in lines[:60]:
        text = "".join(c if c.isprintable() else " " for c in str(line))[:60]
        kept.append("".join("*" if c.isdigit() else c for c in text)
                    if holds_card_number(text) else text)  # fmt: skip
    return kept


def _push(key: str) -> None:
    try:
        pipe = relay().pipeline()
        pipe.rpush(key, "1")
        pipe.expire(key, 60)
        pipe.execute()
    except redis.RedisError:
        logger.info("Redis is away: the gateway finds the payment on its next look")
