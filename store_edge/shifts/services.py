"""Shifts: opened with a float, paid in and out, the drawer opened for no sale (with its
reason), closed with a Z report of counted against expected cash and, on a lane with a card
terminal, the terminal's end of day against the card tenders. The Z report and every no
sale travel to HQ in the ledger."""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from store_edge.audit.models import AuditEntry
from store_edge.catalog.selectors import config_stamp
from store_edge.lanes.models import Lane
from store_edge.ledger.models import EntryKind
from store_edge.ledger.services import NewEntry, ledger_append
from store_edge.peripherals.models import TerminalPayment
from store_edge.peripherals.printing import queue_print
from store_edge.shifts.errors import InvalidAmount, ShiftError
from store_edge.shifts.models import CashMovement, CashMovementKind, Shift
from store_edge.shifts.reports import ShiftReport, card_reconciliation, shift_report
from store_edge.shifts.selectors import shift_current

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
MAX_CASH = Decimal("100000.00")


def _money(amount: Decimal, what: str) -> Decimal:
    if not ZERO <= amount <= MAX_CASH or amount != amount.quantize(Decimal("0.01")):
        raise InvalidAmount(f"{what} must be between 0.00 and {MAX_CASH}, in cents")
    return amount


def shift_open(*, lane: Lane, cashier: str, opening_float: Decimal) -> Shift:
    """Open the lane's shift with the float in the drawer."""
    _money(opening_float, "the float")
    with transaction.atomic():
        if shift_current(lane=lane) is not None:
            raise ShiftError(f"{lane} already has a shift open: close it first (Z report)")
        return Shift.objects.create(
            lane_id=lane.id, cashier=cashier, opened_at=timezone.now(), opening_float=opening_float
        )


def cash_movement(*, lane: Lane, kind: str, amount: Decimal, reason: str,
                  by: str = "") -> CashMovement:  # fmt: skip
    """Record cash paid into or out of the drawer, or the drawer opened for no sale, with
    its reason; the drawer opens (kicked through the lane's printer). A no sale is also a
    ledger entry (HQ sees each one) and an entry of the store's audit log."""
    if kind not in CashMovementKind.values:
        raise InvalidAmount("a cash movement is paid_in, paid_out or no_sale")
    _money(amount, "the amount")
    if kind == CashMovementKind.NO_SALE and amount != ZERO:
        raise InvalidAmount("a no sale moves no cash: its amount is 0.00")
    if kind != CashMovementKind.NO_SALE and amount == ZERO:
        raise InvalidAmount("the amount must be more than zero")
    if not 3 <= len(reason.strip()) <= 200:
        raise InvalidAmount("give a reason (3-200 characters)")
    with transaction.atomic():
        shift = shift_current(lane=lane)
        if shift is None:
            raise ShiftError("no shift is open on this lane: open one with its float")
        movement = CashMovement.objects.create(shift=shift, kind=kind, amount=amount,
                                               reason=reason.strip(), at=timezone.now(),
                                               by=by[:16])  # fmt: skip
        if kind == CashMovementKind.NO_SALE:
            _no_sale_recorded(movement, lane=lane)
        transaction.on_commit(lambda: _open_drawer(lane, kind))
    return movement


def _no_sale_recorded(movement: CashMovement, *, lane: Lane) -> None:
    who = movement.by or f"lane:{lane.number}"
    payload = {"lane": lane.number, "shift_id": str(movement.shift_id), "reason": movement.reason,
               "by": movement.by, "at": movement.at.isoformat()}  # fmt: skip
    ledger_append(
        entries=[NewEntry(kind=EntryKind.DRAWER_OPENED, document_type="drawer",
                          document_id=uuid.uuid4(), payload=payload)],
        user=who, at=movement.at, config_version=config_stamp()[0],
    )  # fmt: skip
    AuditEntry.objects.create(at=movement.at, user=who, action="no_sale",
                              model="shifts.CashMovement", object_id=str(movement.pk),
                              object_repr=f"no sale on lane {lane.number}: {movement.reason}"[:200],
                              after=payload)  # fmt: skip


def _open_drawer(lane: Lane, kind: str) -> None:
    try:
        queue_print(lane=lane, what="drawer", document={}, drawer=True, reference=kind)
    except Exception:  # noqa: BLE001 - the movement stands; the cashier opens it by key
        logger.exception("the drawer of lane %s was not opened for %s", lane.number, kind)


def shift_close(*, lane: Lane, counted_cash: Decimal, user: str,
                end_of_day: TerminalPayment | None = None) -> ShiftReport:  # fmt: skip
    """Close the lane's shift with the cash counted (Z report), and send the report to HQ.
    With the terminal's end of day, its total is compared with the shift's card tenders."""
    _money(counted_cash, "the cash counted")
    with transaction.atomic():
        shift = shift_current(lane=lane)
        if shift is None:
            raise ShiftError("no shift is open on this lane")
        shift.closed_at = timezone.now()
        shift.counted_cash = counted_cash
        shift.expected_cash = shift_report(shift=shift).expected_cash
        if end_of_day is not None:
            shift.card_terminal = card_reconciliation(shift=shift, end_of_day=end_of_day)
        shift.save(update_fields=["closed_at", "counted_cash", "expected_cash", "card_terminal"])
        report = shift_report(shift=shift)
        ledger_append(
            entries=[
                NewEntry(
                    kind=EntryKind.SHIFT_CLOSED,
                    document_type="shift",
                    document_id=uuid.UUID(report.shift_id),
                    payload=report.as_json(),
                )
            ],
            user=user,
            at=shift.closed_at,
            config_version=config_stamp()[0],
        )
    return report
