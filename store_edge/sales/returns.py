"""Returns: with the receipt (the sale number), each line refunded at what was paid for it,
to the tender it was paid with; without a receipt, at today's price, in cash, with a
supervisor's approval. A return is a sale with negative amounts, its ledger entries put
stock back, and it travels to HQ like a sale."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from devices.barcodes import parse_code
from store_edge.baskets.errors import InvalidItem
from store_edge.baskets.models import TenderMethod
from store_edge.baskets.scan_rules import GRAM
from store_edge.baskets.services import barcode_rules, card_tender_refused, product_for_scan
from store_edge.catalog.selectors import config_stamp
from store_edge.errors import Conflict, NotFound
from store_edge.lanes.models import Lane
from store_edge.ledger.models import EntryKind
from store_edge.ledger.services import NewEntry, ledger_append
from store_edge.peripherals.models import TerminalPayment
from store_edge.peripherals.terminal import lane_terminal
from store_edge.pricing.domain import PricedLine, TaxRule, refund_amount, round_money, tax_for_class
from store_edge.raw_sqlite import raw_cursor
from store_edge.sales.document import SaleDocument, SaleLineDoc, TaxDoc, TenderDoc
from store_edge.sales.models import Sale, SaleLine
from store_edge.sales.records import sale_record
from store_edge.sales.selectors import returnable, sale_by_number
from store_edge.sales.services import sale_number_take
from store_edge.shifts.selectors import shift_open_id
from store_edge.staff.models import StaffMember

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ReturnLine:
    sku: str
    name: str
    quantity: Decimal  # positive: what comes back
    weight_kg: Decimal | None
    unit_price: Decimal
    refund: Decimal  # positive
    tax: TaxRule
    returned_line: SaleLine | None


class RefundOnTerminal(Exception):  # noqa: N818 - not an error: what the lane does next
    """The card's part of a return goes back on the lane's terminal: the caller asks the
    terminal for `amount`, then records the return with its approved refund."""

    def __init__(self, amount: Decimal) -> None:
        super().__init__(f"{amount} goes back to the card on the terminal")
        self.amount = amount


def recorded_return(*, lane: Lane, refund_id: uuid.UUID) -> Sale | None:
    """The return a terminal refund was already recorded as (a return sent again)."""
    refund = _terminal_refund(lane, refund_id)
    return Sale.objects.get(id=refund.return_sale_id) if refund.return_sale_id else None


def _terminal_refund(lane: Lane, refund_id: uuid.UUID) -> TerminalPayment:
    refund = TerminalPayment.objects.filter(id=refund_id, lane=lane, what="refund").first()
    if refund is None:
        raise NotFound(f"no card refund {refund_id} on this lane")
    return refund


def return_with_receipt(
    *,
    lane: Lane,
    sale_number: str,
    lines: dict[uuid.UUID, Decimal],
    cashier: str,
    terminal_reference: str = "",
    card_last4: str = "",
    terminal_refund: uuid.UUID | None = None,
) -> Sale:
    """Take back `lines` (sold line id → quantity) of a sale, refunded as they were paid.
    On a lane with a terminal the card's part is refunded there first (RefundOnTerminal),
    and the return is recorded with that approved refund (`terminal_refund`), once."""
    sale = sale_by_number(sale_number)
    sold = {line.id: line for line in sale.lines.all()}
    taxes = {t.tax_class: TaxRule(t.tax_class, t.rate, t.inclusive) for t in sale.taxes.all()}
    left_of = returnable(sale)
    if not lines:
        raise InvalidItem("choose what comes back")
    taking: list[ReturnLine] = []
    for line_id, quantity in lines.items():
        line = sold.get(line_id)
        if line is None:
            raise InvalidItem(f"line {line_id} is not on sale {sale.number}")
        measure = line.weight_kg if line.weight_kg is not None else line.quantity
        left = left_of[line_id]
        if not Decimal(0) < quantity <= left or quantity != quantity.quantize(GRAM):
            raise InvalidItem(f"{line.name}: between 0 and {left} can come back")
        paid = PricedLine(str(line.id), line.sku, line.base_amount, (), line.amount, line.tax_class)
        refund = refund_amount(sold=paid, sold_quantity=measure, returned=quantity)
        weight = quantity if line.weight_kg is not None else None
        taking.append(ReturnLine(line.sku, line.name, quantity, weight, line.unit_price, refund,
                                 taxes[line.tax_class], line))  # fmt: skip
    refund_total = sum((line.refund for line in taking), ZERO)
    on_card = None if terminal_refund is None else _terminal_refund(lane, terminal_refund)
    tenders = _refund_tenders(sale, refund_total, terminal_reference, card_last4,
                              lane=lane, refund=on_card)  # fmt: skip
    with transaction.atomic():
        recorded = _record(lane=lane, lines=taking, tenders=tenders, cashier=cashier,
                           original=sale)  # fmt: skip
        if on_card is not None:
            unclaimed = TerminalPayment.objects.filter(id=on_card.id, return_sale_id__isnull=True)
            claimed = unclaimed.update(applied=True, return_sale_id=recorded.id)
            if claimed != 1:
                raise Conflict("this card refund is already recorded as a return")
    return recorded


def return_without_receipt(
    *, lane: Lane, code: str, quantity: Decimal, approver: StaffMember, cashier: str
) -> Sale:
    """Take an item back without its receipt: at today's price, in cash, approved."""
    scanned = parse_code(code, rules=barcode_rules())
    _, product = product_for_scan(scanned=scanned)
    if scanned.count is not None and quantity != scanned.count:
        raise InvalidItem(f"the label gives the count ({scanned.count}): that many come back")
    if not Decimal(0) < quantity <= Decimal(100) or quantity != quantity.quantize(GRAM):
        raise InvalidItem("between 0 and 100 can come back")
    if product.unit == "each" and quantity != quantity.to_integral_value():
        raise InvalidItem(f"{product.name} comes back in pieces")
    price = product.price_at(timezone.now())
    line = ReturnLine(product.sku, product.name, quantity,
                      quantity if product.unit == "kg" else None, price,
                      round_money(price * quantity),
                      TaxRule(product.tax_class, product.tax_rate, product.tax_inclusive),
                      None)  # fmt: skip
    tenders: list[tuple[str, Decimal, str, str]] = [(TenderMethod.CASH, line.refund, "", "")]
    return _record(lane=lane, lines=[line], tenders=tenders, cashier=cashier, original=None,
                   approver=approver.code)  # fmt: skip


def _refund_tenders(
    sale: Sale, total: Decimal, reference: str, last4: str, *, lane: Lane,
    refund: TerminalPayment | None,
) -> list[tuple[str, Decimal, str, str]]:  # fmt: skip
    """Refund to the tenders the sale was paid with: card first (up to what it paid and was
    not refunded yet), the rest in cash."""
    paid: dict[str, Decimal] = defaultdict(Decimal)
    for tender in sale.tenders.all():
        paid[tender.method] += tender.amount
    paid[TenderMethod.CASH] -= sale.change
    for method, amount in Sale.objects.filter(returns_sale=sale).values_list(
        "tenders__method", "tenders__amount"
    ):
        if method:
            paid[method] += amount  # refunds are negative
    refunds: list[tuple[str, Decimal, str, str]] = []
    left = total
    card = min(max(paid.get(TenderMethod.CARD, ZERO), ZERO), left)
    if refund is not None:
        if refund.state != TerminalPayment.State.APPROVED:
            raise Conflict(f"the terminal's refund is {refund.get_state_display()}")
        if refund.amount != card:
            raise Conflict(f"the terminal refunded {refund.amount}; the card's part of this "
                           f"return is {card}")  # fmt: skip
        reference, last4 = refund.reference, refund.card_last4
    elif card > 0 and not reference and not last4 and lane_terminal(lane) is not None:
        raise RefundOnTerminal(card)
    if card > 0:
        if refund is None and card_tender_refused(terminal_reference=reference,
                                                  card_last4=last4):  # fmt: skip
            raise InvalidItem(
                f"{card} goes back to the card: refund it on the terminal, then give the "
                "terminal's reference and the card's last four digits"
            )
        refunds.append((TenderMethod.CARD, card, reference, last4))
        left -= card
    if left > 0:
        refunds.append((TenderMethod.CASH, left, "", ""))
    return refunds


def _record(
    *,
    lane: Lane,
    lines: list[ReturnLine],
    tenders: list[tuple[str, Decimal, str, str]],
    cashier: str,
    original: Sale | None,
    approver: str = "",
) -> Sale:
    per_class: dict[TaxRule, Decimal] = defaultdict(Decimal)
    for line in lines:
        per_class[line.tax] += line.refund
    taxes = [tax_for_class(rule=rule, amount=amount) for rule, amount in per_class.items()]
    total = sum((line.refund for line in lines), ZERO)
    exclusive = sum((t.tax for t in taxes if not t.inclusive), ZERO)
    version = config_stamp()[0]
    now = timezone.now()
    with transaction.atomic(), raw_cursor() as cursor:
        sale_id = uuid.uuid4()
        document = SaleDocument(
            number=sale_number_take(lane=lane),
            lane=lane.number,
            completed_at=now,
            config_version=version,
            subtotal=-total,
            discount_total=ZERO,
            tax_total=-sum((t.tax for t in taxes), ZERO),
            total=-(total + exclusive),
            amount_paid=-sum((amount for _, amount, _, _ in tenders), ZERO),
            change=ZERO,
            cash_rounding=ZERO,
            cashier=cashier,
            returns=original.number if original else "",
            approved_by=approver,
            lines=[
                SaleLineDoc(
                    id=uuid.uuid4(),
                    position=n,
                    sku=line.sku,
                    name=line.name,
                    quantity=-(line.quantity if line.weight_kg is None else Decimal(1)),
                    weight_kg=None if line.weight_kg is None else -line.weight_kg,
                    unit_price=line.unit_price,
                    base_amount=-line.refund,
                    amount=-line.refund,
                    tax_class=line.tax.code,
                    returns_line=line.returned_line.id if line.returned_line else None,
                )
                for n, line in enumerate(lines, start=1)
            ],
            tenders=[
                TenderDoc(id=uuid.uuid4(), method=TenderMethod(method), amount=-amount,
                          terminal_reference=reference, card_last4=last4)
                for method, amount, reference, last4 in tenders
            ],
            taxes=[
                TaxDoc(tax_class=t.code, rate=t.rate, inclusive=t.inclusive, net=-t.net,
                       tax=-t.tax, gross=-t.gross)
                for t in taxes
            ],
        )  # fmt: skip
        sale_record(cursor, sale_id=sale_id, document=document, lane_id=lane.id,
                    shift_id=shift_open_id(lane=lane),
                    returns_sale_id=original.id if original else None)  # fmt: skip
        ledger_append(
            entries=[
                NewEntry(kind=EntryKind.RETURN_COMPLETED, document_type="return",
                         document_id=sale_id, payload=document),
                *(NewEntry(kind=EntryKind.RETURN, document_type="return", document_id=sale_id,
                           sku=line.sku, quantity=line.quantity) for line in lines),
            ],
            user=cashier or f"lane:{lane.number}",
            at=now,
            config_version=version,
        )  # fmt: skip
        return Sale.objects.select_related("lane").get(id=sale_id)
