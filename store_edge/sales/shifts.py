"""Shifts: opened with a float, paid in and out, read with an X report, closed with a Z
report of counted against expected cash. The Z report travels to HQ in the ledger."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from store_edge.catalog.selectors import config_stamp
from store_edge.ledger.models import EntryKind
from store_edge.ledger.services import NewEntry, ledger_append
from store_edge.sales.errors import InvalidItem, SalesError
from store_edge.sales.models import (
    CashMovement,
    CashMovementKind,
    Lane,
    Sale,
    SaleTender,
    Shift,
    TenderMethod,
)

ZERO = Decimal("0.00")
MAX_CASH = Decimal("100000.00")


class ShiftError(SalesError):
    """A shift operation that does not fit the lane's state (no shift open, one already)."""


@dataclass(frozen=True)
class ShiftReport:
    """An X report (while open) or a Z report (when closed)."""

    shift_id: str
    lane: int
    cashier: str
    opened_at: str
    closed_at: str | None
    sales: int
    returns: int
    sales_total: Decimal
    returns_total: Decimal
    tenders: dict[str, Decimal] = field(default_factory=dict)
    opening_float: Decimal = ZERO
    paid_in: Decimal = ZERO
    paid_out: Decimal = ZERO
    expected_cash: Decimal = ZERO
    counted_cash: Decimal | None = None

    @property
    def variance(self) -> Decimal | None:
        return None if self.counted_cash is None else self.counted_cash - self.expected_cash

    def as_json(self) -> dict[str, Any]:
        data = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}
        data["tenders"] = {k: str(v) for k, v in self.tenders.items()}
        data["variance"] = None if self.variance is None else str(self.variance)
        return data


def shift_current(*, lane: Lane) -> Shift | None:
    return Shift.objects.filter(lane_id=lane.id, closed_at=None).first()


def _money(amount: Decimal, what: str) -> Decimal:
    if not ZERO <= amount <= MAX_CASH or amount != amount.quantize(Decimal("0.01")):
        raise InvalidItem(f"{what} must be between 0.00 and {MAX_CASH}, in cents")
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
        raise InvalidItem("a cash movement is paid_in or paid_out")
    if _money(amount, "the amount") == ZERO:
        raise InvalidItem("the amount must be more than zero")
    if not 3 <= len(reason.strip()) <= 200:
        raise InvalidItem("give a reason (3-200 characters)")
    with transaction.atomic():
        shift = shift_current(lane=lane)
        if shift is None:
            raise ShiftError("no shift is open on this lane: open one with its float")
        return CashMovement.objects.create(
            shift=shift, kind=kind, amount=amount, reason=reason.strip(), at=timezone.now()
        )


def shift_report(*, shift: Shift) -> ShiftReport:
    """What the shift sold and what the drawer should hold."""
    sales = Sale.objects.filter(shift=shift)
    sold = sales.filter(returns_sale=None, total__gte=0)
    returned = sales.exclude(id__in=sold.values("id"))
    tenders: dict[str, Decimal] = {}
    for method, amount in SaleTender.objects.filter(sale__shift=shift).values_list(
        "method", "amount"
    ):
        tenders[method] = tenders.get(method, ZERO) + amount
    change = sum(sales.values_list("change", flat=True), ZERO)
    movements = dict(
        CashMovement.objects.filter(shift=shift)
        .values("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    )
    paid_in = Decimal(str(movements.get(CashMovementKind.PAID_IN) or 0)).quantize(Decimal("0.01"))
    paid_out = Decimal(str(movements.get(CashMovementKind.PAID_OUT) or 0)).quantize(Decimal("0.01"))
    cash = tenders.get(TenderMethod.CASH, ZERO) - change
    return ShiftReport(
        shift_id=str(shift.id),
        lane=shift.lane.number,
        cashier=shift.cashier,
        opened_at=shift.opened_at.isoformat(),
        closed_at=shift.closed_at.isoformat() if shift.closed_at else None,
        sales=sold.count(),
        returns=returned.count(),
        sales_total=sum(sold.values_list("total", flat=True), ZERO),
        returns_total=sum(returned.values_list("total", flat=True), ZERO),
        tenders=tenders,
        opening_float=shift.opening_float,
        paid_in=paid_in,
        paid_out=paid_out,
        expected_cash=shift.opening_float + cash + paid_in - paid_out,
        counted_cash=shift.counted_cash,
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
