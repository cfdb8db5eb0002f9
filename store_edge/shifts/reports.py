"""The X report (while a shift is open) and the Z report (when it closes): what the shift
sold and returned, per tender, the cash the drawer should hold, how often the drawer was
opened (and each no sale), and on a lane with a card terminal its end of day against the
shift's card tenders."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from store_edge.baskets.models import TenderMethod
from store_edge.peripherals.models import TerminalPayment
from store_edge.sales.models import Sale, SaleTender
from store_edge.shifts.models import CashMovement, CashMovementKind, Shift

ZERO = Decimal("0.00")


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
    # Each time the till opened the drawer: cash sales and refunds, paid in and out, no sale.
    drawer_openings: int = 0
    no_sales: int = 0
    card_terminal: dict[str, Any] | None = None

    @property
    def variance(self) -> Decimal | None:
        return None if self.counted_cash is None else self.counted_cash - self.expected_cash

    def as_json(self) -> dict[str, Any]:
        data = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}
        data["tenders"] = {k: str(v) for k, v in self.tenders.items()}
        data["variance"] = None if self.variance is None else str(self.variance)
        return data


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
    cash_sales = sales.filter(tenders__method=TenderMethod.CASH).distinct().count()
    moved = CashMovement.objects.filter(shift=shift)
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
        drawer_openings=cash_sales + moved.count(),
        no_sales=moved.filter(kind=CashMovementKind.NO_SALE).count(),
        card_terminal=shift.card_terminal,
    )


def card_reconciliation(*, shift: Shift, end_of_day: TerminalPayment) -> dict[str, Any]:
    """The terminal's end of day against the shift's card tenders (net of card refunds),
    and the card payments whose outcome the terminal never gave (released unresolved, or
    still unknown): what a supervisor checks against the terminal's own report."""
    card = sum(SaleTender.objects.filter(sale__shift=shift, method=TenderMethod.CARD)
               .values_list("amount", flat=True), ZERO)  # fmt: skip
    done = end_of_day.state == TerminalPayment.State.APPROVED
    doubtful = TerminalPayment.objects.filter(
        lane_id=shift.lane_id, what="payment", created_at__gte=shift.opened_at,
        state__in=(TerminalPayment.State.UNRESOLVED, TerminalPayment.State.UNKNOWN),
    )  # fmt: skip
    return {
        "state": "done" if done else "not done",
        "message": "" if done else _not_done(end_of_day),
        "terminal_total": str(end_of_day.amount) if done else None,
        "card_tenders": str(card),
        "difference": str(end_of_day.amount - card) if done else None,
        "unresolved": [{"id": str(p.id), "amount": str(p.amount), "at": p.created_at.isoformat(),
                        "released_by": p.released_by} for p in doubtful[:100]],
    }  # fmt: skip


def _not_done(end_of_day: TerminalPayment) -> str:
    if end_of_day.state in TerminalPayment.OPEN_STATES:
        return "still running at the terminal when the shift closed: see its own report"
    return (end_of_day.message or "the terminal refused it")[:200]
