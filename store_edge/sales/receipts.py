"""A sale's receipt, laid out once (`devices.printers.Receipt`): the lane's printable page
and the receipt printer both render this layout, so the paper and the page say the same."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils import timezone

from devices.printers import Receipt, Row, TaxRow
from store_edge.baskets.models import Basket
from store_edge.catalog.selectors import config_stamp, config_state, prior_price_of
from store_edge.lanes.models import Lane
from store_edge.peripherals.models import TerminalPayment
from store_edge.peripherals.printing import print_again, queue_print
from store_edge.pricing.domain import line_amount
from store_edge.sales.models import Sale, SaleLine, SaleTender
from store_edge.sales.selectors import sale_detail
from store_edge.staff.models import StaffMember

logger = logging.getLogger(__name__)


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}"


def receipt_layout(sale: Sale, *, reprint: bool = False) -> Receipt:
    """The receipt of a sale or a return (its lines, tenders and taxes prefetched)."""
    state = config_state()
    cashier = StaffMember.objects.filter(code=sale.cashier).values_list("name", flat=True).first()
    is_return = sale.total < 0
    header = [f"Store {settings.STORE_ID}"] if settings.STORE_ID else []
    header += [
        f"Lane {sale.lane.number} · Cashier {cashier or sale.cashier or '—'}",
        timezone.localtime(sale.completed_at).strftime("%Y-%m-%d %H:%M"),
    ]
    markers = ["*** REPRINT ***"] if reprint else []
    if is_return:
        original = sale.returns_sale.number if sale.returns_sale_id and sale.returns_sale else None
        markers.append(f"RETURN of sale {original}" if original else "RETURN")
    sums = [Row("Subtotal", f"{sale.subtotal}", "sum")]
    if sale.discount_total:
        sums.append(Row("You saved", f"{sale.discount_total}", "sum"))
    sums.append(Row(f"TOTAL {state.currency}", f"{sale.total}", "grand"))
    if sale.cash_rounding:
        sums.append(Row("Cash rounding", f"{sale.cash_rounding}", "sum"))
    sums += [Row(_tender(t), f"{t.amount}", "tender") for t in sale.tenders.all()]
    if not is_return:
        sums.append(Row("Change", f"{sale.change}", "sum"))
    return Receipt(
        title=state.store_name or "Store",
        header=tuple(header),
        markers=tuple(markers),
        items=tuple(row for line in _lines(sale, is_return=is_return) for row in line),
        sums=tuple(sums),
        taxes=tuple(
            TaxRow(
                f"{t.tax_class}{' incl.' if t.inclusive else ''}",
                f"{percent(t.rate)} %",
                f"{t.net}",
                f"{t.tax}",
                f"{t.gross}",
            )
            for t in sale.taxes.all()
        ),  # fmt: skip
        barcode=sale.number,
        footer=(f"Sale {sale.number}", "Keep this receipt for returns."),
        slips=_terminal_slips(sale),
    )


def _terminal_slips(sale: Sale) -> tuple[tuple[str, ...], ...]:
    """The customer's copy of each card payment's terminal receipt, as the terminal gave it."""
    basket = Basket.objects.filter(sale_id=sale.id).values_list("id", flat=True).first()
    if basket is None:
        return ()
    paid = TerminalPayment.objects.filter(basket_id=basket, state=TerminalPayment.State.APPROVED)
    return tuple(tuple(p.customer_receipt) for p in paid if p.customer_receipt)


def _tender(tender: SaleTender) -> str:
    if tender.method == "card":
        return f"Card ****{tender.card_last4} ref {tender.terminal_reference}"
    return "Cash"


def _lines(sale: Sale, *, is_return: bool) -> list[list[Row]]:
    stamp = config_stamp()
    rows = []
    for line in sale.lines.all():
        if line.weight_kg is not None:
            detail = f"{line.weight_kg} kg × {line.unit_price}/kg"
        else:
            detail = f"{floatformat(line.quantity, '-3')} × {line.unit_price}"
        mine = [Row(line.name, "", "item"), Row(detail, f"{line.base_amount}", "detail")]
        mine += [Row(f"{a.get('reason', '')}", f"-{a.get('amount', '')}", "adjustment")
                 for a in line.adjustments]  # fmt: skip
        prior = line.prior_price if line.prior_price is not None or is_return else _prior(
            line, sale, stamp)  # fmt: skip
        if prior is not None and not is_return:
            mine.append(Row(f"Lowest 30-day price {prior}", "", "note"))
        rows.append(mine)
    return rows


def _prior(line: SaleLine, sale: Sale, stamp: tuple[int, str]) -> Decimal | None:
    """A sale kept before lines held their prior price: looked up as it was then."""
    return prior_price_of(
        stamp=stamp, sku=line.sku, at=sale.completed_at,
        promotions=[a.get("promotion", "") for a in line.adjustments],
        book_priced=line.base_amount == line_amount(quantity=line.quantity,
                                                    unit_price=line.unit_price)
        and not any(a.get("promotion") == "override" for a in line.adjustments),
    )  # fmt: skip


def print_receipt(*, sale: Sale, lane: Lane) -> str:
    """Queue a completed sale's receipt for the lane's printer, the cash drawer kicked with
    it when cash changed hands. Never undoes the sale: what is answered is what happened
    to the receipt ("queued", "no printer", or "not queued" when queueing failed, and then
    "Last receipt" prints it)."""
    try:
        sale = sale_detail(sale_id=sale.id)
        drawer = any(t.method == "cash" for t in sale.tenders.all())
        job = queue_print(lane=lane, what="receipt", document=receipt_layout(sale).as_json(),
                          drawer=drawer, reference=sale.number, sale_id=sale.id)  # fmt: skip
    except Exception:  # noqa: BLE001 - the sale stands whatever befalls its receipt
        logger.exception("the receipt of sale %s was not queued", sale.number)
        return "not queued"
    return "no printer" if job is None else "queued"


def print_receipt_again(*, sale: Sale, lane: Lane) -> str:
    """ "Last receipt" on a lane with a printer: the held one, or a reprint."""
    sale = sale_detail(sale_id=sale.id)
    job = print_again(lane=lane, sale_id=sale.id,
                      reprint=receipt_layout(sale, reprint=True).as_json())  # fmt: skip
    return "no printer" if job is None else "queued"
