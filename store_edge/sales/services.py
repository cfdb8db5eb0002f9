"""Complete a paid basket as a sale: its document, its rows and its ledger entries in one
transaction, committed before the cashier is told."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from store_edge.baskets.errors import BasketEmpty, BasketNotFound, BasketUnpaid
from store_edge.baskets.models import BasketStatus, TenderMethod
from store_edge.baskets.pricing import amount_due, basket_price, line_prior_price
from store_edge.baskets.scan_path import (
    LineRow,
    TenderRow,
    basket_lines,
    basket_state,
    basket_tenders,
)
from store_edge.catalog.selectors import config_stamp
from store_edge.lanes.models import Lane
from store_edge.ledger.models import EntryKind
from store_edge.ledger.services import NewEntry, counter_take, ledger_append
from store_edge.pricing.domain import PricedBasket
from store_edge.raw_sqlite import raw_cursor
from store_edge.sales.document import AdjustmentDoc, SaleDocument, SaleLineDoc, TaxDoc, TenderDoc
from store_edge.sales.models import Sale
from store_edge.sales.records import sale_record
from store_edge.shifts.selectors import shift_open_id

SALE_NUMBER = "sale_number"


def sale_number_take(*, lane: Lane) -> str:
    """The next sale number of the store, as the lane prints it ("01-0000042"): gapless,
    in the caller's transaction."""
    return f"{lane.number:02d}-{counter_take(name=SALE_NUMBER):07d}"


def sale_complete(
    *, basket_id: uuid.UUID, lane: Lane, user: str, cashier: str = ""
) -> tuple[Sale, bool]:
    """Complete a fully paid basket as a sale, with its ledger entries, in one transaction.

    Completing a basket that is already completed returns its sale (a double click on
    "Pay" makes one sale). Returns the sale and whether this call created it.
    """
    stamp = config_stamp()
    version = stamp[0]
    with transaction.atomic(), raw_cursor() as cursor:
        state = basket_state(cursor, basket_id=basket_id, lane_id=lane.id)
        if state is None:
            raise BasketNotFound(f"No basket {basket_id} on {lane}")
        if state.sale_id is not None:
            return Sale.objects.select_related("lane").get(id=state.sale_id), False
        lines = basket_lines(cursor, basket_id=basket_id)
        if not lines:
            raise BasketEmpty("The basket is empty: nothing to sell")
        now = timezone.now()
        priced = basket_price(lines=lines, state=state, at=now, stamp=stamp)
        payments = list(state.payments)
        paid = sum((amount for _, amount in payments), Decimal("0.00"))
        due = amount_due(total=priced.total, payments=payments)
        if paid < due:
            raise BasketUnpaid(f"{due - paid} still due: total {due}, paid {paid}")
        sale_id = uuid.uuid4()
        document = SaleDocument(
            number=sale_number_take(lane=lane),
            lane=lane.number,
            completed_at=now,
            config_version=version,
            subtotal=priced.subtotal,
            discount_total=priced.discount_total,
            tax_total=priced.tax_total,
            total=priced.total,
            amount_paid=paid,
            change=paid - due,
            cash_rounding=due - priced.total,
            member_card=state.member_card,
            coupons=list(state.coupons),
            cashier=cashier,
            lines=_lines(lines, priced, stamp=stamp, at=now),
            tenders=_tenders(basket_tenders(cursor, basket_id=basket_id)),
            taxes=[
                TaxDoc(
                    tax_class=t.code,
                    rate=t.rate,
                    inclusive=t.inclusive,
                    net=t.net,
                    tax=t.tax,
                    gross=t.gross,
                )
                for t in priced.taxes
            ],  # fmt: skip
        )
        sale_record(cursor, sale_id=sale_id, document=document, lane_id=lane.id,
                    shift_id=shift_open_id(lane=lane), returns_sale_id=None)  # fmt: skip
        ledger_append(
            entries=[
                NewEntry(kind=EntryKind.SALE_COMPLETED, document_type="sale",
                         document_id=sale_id, payload=document),
                *(NewEntry(kind=EntryKind.SALE, document_type="sale", document_id=sale_id,
                           sku=line.sku, quantity=-line.sold_quantity) for line in lines),
            ],
            user=user,
            at=now,
            config_version=version,
        )  # fmt: skip
        cursor.execute(
            "UPDATE sales_basket SET status = ?, sale_id = ? WHERE id = ?",
            [BasketStatus.COMPLETED, sale_id.hex, basket_id.hex],
        )
        return Sale.objects.select_related("lane").get(id=sale_id), True


def _lines(
    lines: list[LineRow], priced: PricedBasket, *, stamp: tuple[int, str], at: datetime
) -> list[SaleLineDoc]:
    by_line = {p.line_id: p for p in priced.lines}
    return [
        SaleLineDoc(
            id=uuid.uuid4(),
            position=position,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            weight_kg=line.weight_kg,
            unit_price=line.unit_price,
            base_amount=by_line[line.id].base_amount,
            amount=by_line[line.id].amount,
            tax_class=line.tax_class,
            adjustments=[
                AdjustmentDoc(promotion=a.promotion, amount=a.amount, reason=a.reason)
                for a in by_line[line.id].adjustments
            ],
            prior_price=line_prior_price(line=line, priced=by_line[line.id], stamp=stamp, at=at),
        )
        for position, line in enumerate(lines, start=1)
    ]


def _tenders(tenders: list[TenderRow]) -> list[TenderDoc]:
    return [
        TenderDoc(id=uuid.uuid4(), method=TenderMethod(t.method), amount=t.amount,
                  terminal_reference=t.terminal_reference, card_last4=t.card_last4)
        for t in tenders
    ]  # fmt: skip
