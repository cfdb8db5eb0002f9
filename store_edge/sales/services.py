"""Ring up a basket and complete it as a sale: every write is one short transaction."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from deploy.web.card_numbers import holds_card_number
from devices.barcodes import BarcodeRules, parse_code
from store_edge.catalog.models import Unit
from store_edge.catalog.selectors import cash_increment, config_stamp, product_for_code
from store_edge.ledger.models import EntryKind
from store_edge.ledger.services import NewEntry, counter_take, ledger_append
from store_edge.pricing.domain import Adjustment, PricedBasket, cash_due
from store_edge.sales.errors import (
    BasketClosed,
    BasketEmpty,
    BasketNotFound,
    BasketPaid,
    BasketUnpaid,
    InvalidItem,
)
from store_edge.sales.models import (
    Basket,
    BasketPayment,
    BasketStatus,
    Lane,
    Sale,
    Shift,
    StaffMember,
    TenderMethod,
)
from store_edge.sales.peripherals import lane_scale_weight
from store_edge.sales.pricing import basket_price
from store_edge.sales.sql import (
    GRAM,
    LineRow,
    TenderRow,
    basket_lines,
    basket_payments,
    basket_state,
    basket_tenders,
    insert_rows,
    line_append,
)

SALE_NUMBER = "sale_number"
MAX_QUANTITY = 9999
MAX_WEIGHT_KG = Decimal("999.999")
MAX_TENDER = Decimal("1000000.00")
MAX_COUPONS = 10
MEMBER_CARD = re.compile(r"^[A-Za-z0-9]{4,32}$")
LAST4 = re.compile(r"^[0-9]{4}$")
TERMINAL_REFERENCE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
COUPON = re.compile(r"^[A-Z0-9_-]{1,32}$")


@cache
def barcode_rules() -> BarcodeRules:
    """The store's rules for variable-measure codes (its country's GS1 layouts)."""
    return BarcodeRules(rcn_region=settings.RCN_REGION or None)


def basket_open(*, lane: Lane) -> Basket:
    """Open a new, empty basket on a lane."""
    with transaction.atomic():
        return Basket.objects.create(lane=lane)


def _open_basket(*, basket_id: uuid.UUID, lane: Lane) -> Basket:
    basket = Basket.objects.filter(id=basket_id, lane=lane).first()
    if basket is None:
        raise BasketNotFound(f"No basket {basket_id} on {lane}")
    if basket.status != BasketStatus.OPEN:
        raise BasketClosed(f"Basket {basket_id} is already {basket.status}")
    return basket


@contextmanager
def _basket_edit() -> Iterator[CursorWrapper]:
    """A short write transaction for an edit of an open basket.

    Edits are atomic but are not fsync'd one by one (synchronous=NORMAL): a power cut may
    lose the last scans of a basket still open, never a completed sale. Completing a sale
    commits with synchronous=FULL, which makes every earlier edit durable too (WAL order).
    """
    relax = not connection.in_atomic_block  # inside a larger transaction, it decides
    with connection.cursor() as cursor:
        if relax:
            cursor.execute("PRAGMA synchronous=NORMAL")
        try:
            with transaction.atomic():
                yield cursor
        finally:
            if relax:
                cursor.execute("PRAGMA synchronous=FULL")


def basket_add_item(
    *,
    basket_id: uuid.UUID,
    lane: Lane,
    code: str,
    quantity: int | None = None,
    weight_kg: Decimal | None = None,
) -> int:
    """Add the product a code designates to an open basket at its list price.

    Returns the config version the product was taken from.
    """
    scanned = parse_code(code, rules=barcode_rules())
    if scanned.expired(timezone.localdate()):
        raise InvalidItem(f"expired on {scanned.expiry}: this item may not be sold")
    version, product = product_for_code(scanned=scanned)
    embedded_price = scanned.price
    if scanned.count is not None:
        # A count label (a pack of loose pieces, GS1 Germany's prefixes 25/26, AI 30)
        # gives the line's quantity.
        if product.unit == Unit.KG:
            raise InvalidItem(f"{product.name} is sold by weight: its label cannot give a count")
        if quantity not in (None, scanned.count):
            raise InvalidItem(f"the label gives the count ({scanned.count}): scan it alone")
        quantity = scanned.count
    if product.unit == Unit.KG:
        if quantity not in (None, 1):
            raise InvalidItem(f"{product.name} is sold by weight: give a weight, not a quantity")
        weight_kg = weight_kg or scanned.weight_kg
        if weight_kg is None and embedded_price is None:
            weight_kg = lane_scale_weight(lane)
        if weight_kg is not None and (
            not Decimal("0.001") <= weight_kg <= MAX_WEIGHT_KG
            or weight_kg != weight_kg.quantize(GRAM)
        ):
            raise InvalidItem(f"weight must be between 0.001 and {MAX_WEIGHT_KG} kg, in grams")
        quantity = 1
    else:
        if weight_kg is not None:
            raise InvalidItem(f"{product.name} is sold by the piece: give a quantity, not a weight")
        if embedded_price is not None and quantity not in (None, 1):
            raise InvalidItem("an item priced by its label is scanned one at a time")
        quantity = 1 if quantity is None else quantity
        if not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidItem(f"quantity must be between 1 and {MAX_QUANTITY}")
    with _basket_edit() as cursor:
        added = line_append(
            cursor,
            basket_id=basket_id,
            lane_id=lane.id,
            values={
                "sku": product.sku,
                "name": product.name,
                "code": code.strip(),
                "quantity": str(Decimal(quantity).quantize(GRAM)),
                "weight_kg": None if weight_kg is None else str(weight_kg),
                "unit_price": str(product.price_at(timezone.now())),
                "tax_class": product.tax_class,
                "tax_rate": str(product.tax_rate),
                "tax_inclusive": product.tax_inclusive,
                "category": product.category,
                "embedded_price": None if embedded_price is None else str(embedded_price),
                "change_reason": "",
                "approved_by": "",
            },
        )
        if not added:
            _open_basket(basket_id=basket_id, lane=lane)  # raises the reason
            raise BasketNotFound(f"No basket {basket_id} on {lane}")
    return version


def basket_remove_line(*, basket_id: uuid.UUID, lane: Lane, line_id: uuid.UUID) -> None:
    """Remove a line from an open basket."""
    with _basket_edit():
        basket = _open_basket(basket_id=basket_id, lane=lane)
        deleted, _ = basket.lines.filter(id=line_id).delete()
        if not deleted:
            raise BasketNotFound(f"No line {line_id} in basket {basket_id}")


def basket_set_quantity(
    *, basket_id: uuid.UUID, lane: Lane, line_id: uuid.UUID, quantity: int
) -> None:
    """Change how many of a piece item a line holds."""
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidItem(f"quantity must be between 1 and {MAX_QUANTITY}")
    with _basket_edit():
        basket = _open_basket(basket_id=basket_id, lane=lane)
        line = basket.lines.filter(id=line_id).first()
        if line is None:
            raise BasketNotFound(f"No line {line_id} in basket {basket_id}")
        if line.weight_kg is not None or line.embedded_price is not None:
            raise InvalidItem(f"{line.name} is weighed or priced by its label: scan it again")
        line.quantity = Decimal(quantity).quantize(GRAM)
        line.save(update_fields=["quantity"])


def basket_add_payment(
    *,
    basket_id: uuid.UUID,
    lane: Lane,
    method: str,
    amount: Decimal,
    terminal_reference: str = "",
    card_last4: str = "",
    payment_id: uuid.UUID | None = None,
) -> BasketPayment:
    """Record a tender against an open basket.

    A card is paid on the external terminal: the lane records the method, the amount, the
    terminal's reference and the card's last four digits, never a card number. A payment
    sent again with the same id (a double click, a retry) is recorded once.
    """
    if method not in TenderMethod.values:
        raise InvalidItem(f"unknown payment method {method!r}")
    if not Decimal("0.01") <= amount <= MAX_TENDER or amount != amount.quantize(Decimal("0.01")):
        raise InvalidItem(f"amount must be between 0.01 and {MAX_TENDER}, in cents")
    if method == TenderMethod.CARD:
        if not LAST4.fullmatch(card_last4):
            raise InvalidItem("a card payment records the card's last four digits, nothing more")
        reference_ok = TERMINAL_REFERENCE.fullmatch(terminal_reference)
        if not reference_ok or holds_card_number(terminal_reference):
            raise InvalidItem("the terminal's reference is 1-32 letters, digits or '-'")
    elif terminal_reference or card_last4:
        raise InvalidItem("a terminal reference and last four digits are for card payments")
    with _basket_edit() as cursor:
        if payment_id is not None:
            already = BasketPayment.objects.filter(id=payment_id).first()
            if already is not None:
                if already.basket_id != basket_id or (already.method, already.amount) != (
                    method,
                    amount,
                ):
                    raise InvalidItem(f"payment {payment_id} was recorded as something else")
                return already
        basket = _open_basket(basket_id=basket_id, lane=lane)
        state = basket_state(cursor, basket_id=basket_id, lane_id=lane.id)
        priced = basket_price(lines=basket_lines(cursor, basket_id=basket_id), state=state)
        payments = basket_payments(cursor, basket_id=basket_id)
        paid = sum((a for _, a in payments), Decimal(0))
        due = amount_due(total=priced.total, payments=[*payments, (method, amount)]) - paid
        if due <= 0:
            raise BasketPaid("nothing is due: complete the sale")
        if method == TenderMethod.CARD and amount > due:
            raise InvalidItem(f"a card pays at most what is due ({due})")
        return BasketPayment.objects.create(
            id=payment_id or uuid.uuid4(),
            basket=basket,
            method=method,
            amount=amount,
            terminal_reference=terminal_reference,
            card_last4=card_last4,
        )


def basket_suspend(*, basket_id: uuid.UUID, lane: Lane) -> None:
    """Park an open basket (the customer forgot something); any lane can resume it."""
    with _basket_edit():
        basket = _open_basket(basket_id=basket_id, lane=lane)
        basket.status = BasketStatus.SUSPENDED
        basket.save(update_fields=["status"])


def basket_resume(*, basket_id: uuid.UUID, lane: Lane) -> None:
    """Take a suspended basket up again on this lane."""
    with _basket_edit():
        basket = Basket.objects.filter(id=basket_id, status=BasketStatus.SUSPENDED).first()
        if basket is None:
            raise BasketNotFound(f"No suspended basket {basket_id}")
        basket.status, basket.lane = BasketStatus.OPEN, lane
        basket.save(update_fields=["status", "lane"])


def basket_set_member(*, basket_id: uuid.UUID, lane: Lane, card: str) -> None:
    """Record the loyalty card scanned into a basket (member prices then apply)."""
    card = card.strip()
    if not MEMBER_CARD.fullmatch(card):
        raise InvalidItem("a loyalty card number is 4-32 letters or digits")
    with _basket_edit():
        basket = _open_basket(basket_id=basket_id, lane=lane)
        basket.member_card = card
        basket.save(update_fields=["member_card"])


def basket_add_coupon(*, basket_id: uuid.UUID, lane: Lane, code: str) -> None:
    """Add a coupon code to a basket; the promotions it unlocks then apply."""
    code = code.strip().upper()
    if not COUPON.fullmatch(code):
        raise InvalidItem("a coupon code is 1-32 letters, digits, '-' or '_'")
    with _basket_edit():
        basket = _open_basket(basket_id=basket_id, lane=lane)
        if code in basket.coupons:
            raise InvalidItem(f"coupon {code} is already in the basket")
        if len(basket.coupons) >= MAX_COUPONS:
            raise InvalidItem(f"at most {MAX_COUPONS} coupons in one basket")
        basket.coupons = [*basket.coupons, code]
        basket.save(update_fields=["coupons"])


def basket_line_change(
    *,
    basket_id: uuid.UUID,
    lane: Lane,
    line_id: uuid.UUID,
    approver: StaffMember,
    reason: str,
    override_price: Decimal | None = None,
    discount_percent: Decimal | None = None,
    discount_amount: Decimal | None = None,
) -> None:
    """Override a line's price or discount it, as a supervisor approved, with the reason.

    One change per line: a new one replaces the earlier. An overridden line takes no
    promotion; a discount applies after promotions.
    """
    reason = reason.strip()
    if not 3 <= len(reason) <= 200:
        raise InvalidItem("give a reason (3-200 characters)")
    given = [v for v in (override_price, discount_percent, discount_amount) if v is not None]
    if len(given) != 1:
        raise InvalidItem("give one of: a new price, a discount percent, a discount amount")
    if override_price is not None and not Decimal(0) <= override_price <= MAX_TENDER:
        raise InvalidItem("a price is between 0.00 and 1000000.00")
    if discount_percent is not None and not Decimal(0) < discount_percent <= 100:
        raise InvalidItem("a discount is more than 0 and at most 100 %")
    if discount_amount is not None and not Decimal(0) < discount_amount <= MAX_TENDER:
        raise InvalidItem("a discount amount is more than 0.00")
    with _basket_edit():
        basket = _open_basket(basket_id=basket_id, lane=lane)
        changed = basket.lines.filter(id=line_id).update(
            override_price=override_price,
            discount_percent=discount_percent,
            discount_amount=discount_amount,
            change_reason=reason,
            approved_by=approver.code,
        )
        if not changed:
            raise BasketNotFound(f"No line {line_id} in basket {basket_id}")


def sale_complete(
    *, basket_id: uuid.UUID, lane: Lane, user: str, cashier: str = ""
) -> tuple[Sale, bool]:
    """Complete a fully paid basket as a sale, with its ledger entries, in one transaction.

    Completing a basket that is already completed returns its sale (a double click on
    "Pay" makes one sale). Returns the sale and whether this call created it.
    """
    version = config_stamp()[0]
    with transaction.atomic(), connection.cursor() as cursor:
        state = basket_state(cursor, basket_id=basket_id, lane_id=lane.id)
        if state is None:
            raise BasketNotFound(f"No basket {basket_id} on {lane}")
        if state.sale_id is not None:
            return Sale.objects.select_related("lane").get(id=state.sale_id), False
        lines = basket_lines(cursor, basket_id=basket_id)
        if not lines:
            raise BasketEmpty("The basket is empty: nothing to sell")
        now = timezone.now()
        priced = basket_price(lines=lines, state=state, at=now)
        payments = basket_payments(cursor, basket_id=basket_id)
        paid = sum((amount for _, amount in payments), Decimal("0.00"))
        due = amount_due(total=priced.total, payments=payments)
        if paid < due:
            raise BasketUnpaid(f"{due - paid} still due: total {due}, paid {paid}")
        sale = Sale(
            id=uuid.uuid4(),
            number=f"{lane.number:02d}-{counter_take(name=SALE_NUMBER):07d}",
            lane=lane,
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
            shift_id=Shift.objects.filter(lane_id=lane.id, closed_at=None)
            .values_list("id", flat=True)
            .first(),
        )
        tenders = basket_tenders(cursor, basket_id=basket_id)
        document = sale_document(sale=sale, lines=lines, priced=priced, tenders=tenders)
        _sale_insert(cursor, sale=sale, document=document)
        ledger_append(
            entries=[
                NewEntry(
                    kind=EntryKind.SALE_COMPLETED,
                    document_type="sale",
                    document_id=sale.id,
                    payload=document,
                ),
                *(
                    NewEntry(
                        kind=EntryKind.SALE,
                        document_type="sale",
                        document_id=sale.id,
                        sku=line.sku,
                        quantity=-line.sold_quantity,
                    )
                    for line in lines
                ),
            ],
            user=user,
            at=now,
            config_version=version,
        )
        cursor.execute(
            "UPDATE sales_basket SET status = %s, sale_id = %s WHERE id = %s",
            [BasketStatus.COMPLETED, sale.id.hex, basket_id.hex],
        )
    return sale, True


def _sale_insert(cursor: CursorWrapper, *, sale: Sale, document: dict[str, Any]) -> None:
    """Write the sale, its lines, tenders and taxes as the document describes them."""
    sale_id = sale.id.hex
    insert_rows(cursor, "sales_sale", SALE_COLUMNS, [(
        sale_id, sale.number, sale.lane.id, connection.ops.adapt_datetimefield_value(
            sale.completed_at), sale.config_version, str(sale.subtotal),
        str(sale.discount_total), str(sale.tax_total), str(sale.total), str(sale.amount_paid),
        str(sale.change), str(sale.cash_rounding), sale.member_card, json.dumps(sale.coupons),
        sale.cashier, sale.shift_id.hex if sale.shift_id else None,
        sale.returns_sale_id.hex if sale.returns_sale_id else None,
    )])  # fmt: skip
    insert_rows(cursor, "sales_saleline", SALE_LINE_COLUMNS, [
        (uuid.UUID(line["id"]).hex, sale_id, line["position"], line["sku"], line["name"],
         line["quantity"], line["weight_kg"], line["unit_price"], line["base_amount"],
         line["amount"], line["tax_class"], json.dumps(line["adjustments"]),
         uuid.UUID(line["returns_line"]).hex if line.get("returns_line") else None)
        for line in document["lines"]
    ])  # fmt: skip
    insert_rows(cursor, "sales_saletender", SALE_TENDER_COLUMNS, [
        (uuid.UUID(t["id"]).hex, sale_id, t["method"], t["amount"], t["terminal_reference"],
         t["card_last4"])
        for t in document["tenders"]
    ])  # fmt: skip
    insert_rows(cursor, "sales_saletax", SALE_TAX_COLUMNS, [
        (sale_id, t["tax_class"], t["rate"], t["inclusive"], t["net"], t["tax"], t["gross"])
        for t in document["taxes"]
    ])  # fmt: skip


SALE_COLUMNS = (
    "id", "number", "lane_id", "completed_at", "config_version", "subtotal", "discount_total",
    "tax_total", "total", "amount_paid", "change", "cash_rounding", "member_card", "coupons",
    "cashier", "shift_id", "returns_sale_id",
)  # fmt: skip
SALE_TENDER_COLUMNS = ("id", "sale_id", "method", "amount", "terminal_reference", "card_last4")
SALE_LINE_COLUMNS = (
    "id", "sale_id", "position", "sku", "name", "quantity", "weight_kg", "unit_price",
    "base_amount", "amount", "tax_class", "adjustments", "returned_line_id",
)  # fmt: skip


def amount_due(
    *, total: Decimal, payments: list[tuple[str, Decimal]], stamp: tuple[int, str] | None = None
) -> Decimal:
    """What the customer must pay: the total, rounded to the cash increment when the
    store rounds cash and every tender is cash (of the config `stamp`, else the one now)."""
    increment = cash_increment(stamp or config_stamp())
    if increment and all(method == TenderMethod.CASH for method, _ in payments):
        return cash_due(total, increment=increment)
    return total


SALE_TAX_COLUMNS = ("sale_id", "tax_class", "rate", "inclusive", "net", "tax", "gross")


def adjustments_wire(adjustments: Iterable[Adjustment]) -> list[dict[str, str]]:
    return [
        {"promotion": a.promotion, "amount": str(a.amount), "reason": a.reason} for a in adjustments
    ]


def sale_document(
    *,
    sale: Sale,
    lines: list[LineRow],
    priced: PricedBasket,
    tenders: list[TenderRow],
) -> dict[str, Any]:
    """Return the sale as HQ receives it: amounts as strings, nothing left out."""
    by_line = {p.line_id: p for p in priced.lines}
    return {
        "number": sale.number,
        "lane": sale.lane.number,
        "completed_at": sale.completed_at.isoformat(),
        "config_version": sale.config_version,
        "subtotal": str(sale.subtotal),
        "discount_total": str(sale.discount_total),
        "tax_total": str(sale.tax_total),
        "total": str(sale.total),
        "amount_paid": str(sale.amount_paid),
        "change": str(sale.change),
        "cash_rounding": str(sale.cash_rounding),
        "member_card": sale.member_card,
        "coupons": list(sale.coupons),
        "lines": [
            {
                "id": str(uuid.uuid4()),
                "position": position,
                "sku": line.sku,
                "name": line.name,
                "quantity": str(line.quantity),
                "weight_kg": None if line.weight_kg is None else str(line.weight_kg),
                "unit_price": str(line.unit_price),
                "base_amount": str(by_line[line.id].base_amount),
                "amount": str(by_line[line.id].amount),
                "tax_class": line.tax_class,
                "adjustments": adjustments_wire(by_line[line.id].adjustments),
            }
            for position, line in enumerate(lines, start=1)
        ],
        "cashier": sale.cashier,
        "tenders": [
            {
                "id": str(uuid.uuid4()),
                "method": t.method,
                "amount": str(t.amount),
                "terminal_reference": t.terminal_reference,
                "card_last4": t.card_last4,
            }
            for t in tenders
        ],  # fmt: skip
        "taxes": [
            {
                "tax_class": t.code,
                "rate": str(t.rate),
                "inclusive": t.inclusive,
                "net": str(t.net),
                "tax": str(t.tax),
                "gross": str(t.gross),
            }
            for t in priced.taxes
        ],
    }
