"""Shifts: opened with a float, paid in and out, closed with a Z report of counted against
expected cash. The Z report travels to HQ in the ledger."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from store_edge.catalog.selectors import config_stamp
from store_edge.lanes.models import Lane
from store_edge.ledger.models import EntryKind
from store_edge.ledger.services import NewEntry, ledger_append
from store_edge.shifts.errors import InvalidAmount, ShiftError
from store_edge.shifts.models import CashMovement, CashMovementKind, Shift
from store_edge.shifts.reports import ShiftReport, shift_report
from store_edge.shifts.selectors import shift_current

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


def cash_movement(*, lane: Lane, kind: str, amount: Decimal, reason: str) -> CashMovement:
    """Record cash paid into or out of the drawer, with its reason."""
    if kind not in CashMovementKind.values:
        raise InvalidAmount("a cash movement is paid_in or paid_out")
    if _money(amount, "the amount") == ZERO:
        raise InvalidAmount("the amount must be more than zero")
    if not 3 <= len(reason.strip()) <= 200:
        raise InvalidAmount("give a reason (3-200 characters)")
    with transaction.atomic():
        shift = shift_current(lane=lane)
        if shift is None:
            raise ShiftError("no shift is open on this lane: open one with its float")
        return CashMovement.objects.create(
            shift=shift, kind=kind, amount=amount, reason=reason.strip(), at=timezone.now()
        )


def shift_close(*, lane: Lane, counted_cash: Decimal, user: str) -> ShiftReport:
    """Close the lane's shift with the cash counted (Z report), and send the report to HQ."""
    _money(counted_cash, "the cash counted")
    with transaction.atomic():
        shift = shift_current(lane=lane)
        if shift is None:
            raise ShiftError("no shift is open on this lane")
        shift.closed_at = timezone.now()
        shift.counted_cash = counted_cash
        shift.expected_cash = shift_report(shift=shift).expected_cash
        shift.save(update_fields=["closed_at", "counted_cash", "expected_cash"])
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
