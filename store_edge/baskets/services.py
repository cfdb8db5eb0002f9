"""Ring up a basket: every write is one short transaction.

What a scan makes (quantity, weight, the label's price or count) is decided by the pure
rules of `scan_rules`; the SQL of the scan path is `scan_path`'s.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from deploy.web.card_numbers import holds_card_number
from devices.barcodes import (
    RCN_COUNTRIES,
    BarcodeRules,
    CodeKind,
    ScannedCode,
    is_store_label,
    parse_code,
)
from store_edge.baskets.errors import BasketClosed, BasketNotFound, BasketPaid, InvalidItem
from store_edge.baskets.models import Basket, BasketPayment, BasketStatus, TenderMethod
from store_edge.baskets.pricing import amount_due, basket_price
from store_edge.baskets.scan_path import BasketState, basket_lines, basket_state, line_append
from store_edge.baskets.scan_rules import GRAM, MAX_QUANTITY, refuse_expired, scanned_measure
from store_edge.catalog.models import Unit
from store_edge.catalog.selectors import (
    ProductNotFound,
    ProductRow,
    config_stamp,
    product_for_code,
    store_place,
)
from store_edge.errors import Conflict
from store_edge.lanes.models import Lane
from store_edge.peripherals.models import TerminalPayment
from store_edge.peripherals.relay import lane_scale_weight
from store_edge.peripherals.terminal import lane_terminal, refuse_while_open, start_payment
from store_edge.raw_sqlite import raw_cursor, raw_edit
from store_edge.staff.models import StaffMember

MAX_TENDER = Decimal("1000000.00")
MAX_COUPONS = 10
MEMBER_CARD = re.compile(r"^[A-Za-z0-9]{4,32}$")
LAST4 = re.compile(r"^[0-9]{4}$")
TERMINAL_REFERENCE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
COUPON = re.compile(r"^[A-Z0-9_-]{1,32}$")


def card_tender_refused(*, terminal_reference: str, card_last4: str) -> str:
    """Why a card tender's record cannot be kept (empty when it can): the terminal's
    reference and the card's last four digits, never more of a card."""
    if not LAST4.fullmatch(card_last4):
        return "a card payment records the card's last four digits, nothing more"
    if not TERMINAL_REFERENCE.fullmatch(terminal_reference) or holds_card_number(
        terminal_reference
    ):
        return "the terminal's reference is 1-32 letters, digits or '-'"
    return ""


@cache
def _barcode_rules(country: str) -> BarcodeRules:
    # A country whose GS1 organisation publishes no label layouts (fr, us…) reads labels
    # with the store's own layouts only.
    return BarcodeRules(rcn_region=country if country in RCN_COUNTRIES else None)


def barcode_rules(stamp: tuple[int, str] | None = None) -> BarcodeRules:
    """The store's rules for variable-measure codes (its country's GS1 layouts) in the
    config `stamp` (the one in force when not given)."""
    return _barcode_rules(store_place(stamp or config_stamp()).country)


def product_for_scan(
    *, scanned: ScannedCode, stamp: tuple[int, str] | None = None
) -> tuple[tuple[int, str], ProductRow]:
    """The config in force and the product a scanned code designates; for a label the store
    prints itself that designates none, the answer says what to check."""
    stamp = stamp or config_stamp()
    try:
        return product_for_code(scanned=scanned, stamp=stamp)
    except ProductNotFound as error:
        if scanned.kind is not CodeKind.GTIN or not is_store_label(scanned.value):
            raise
        country = store_place(stamp).country
        if not country:
            hint = ("it is a price or weight label printed in store (prefix 02 or 20-29), and "
                    "this store's country is not set: set its country at HQ (register_store "
                    "--country) or STORE_COUNTRY here (de, se, gb, …) so that its layout can "
                    "be read")  # fmt: skip
        elif country not in RCN_COUNTRIES:
            hint = (f"it is a price or weight label printed in store (prefix 02 or 20-29), and "
                    f"this store's country {country.upper()} has no GS1 label layout this "
                    f"product reads (those of {', '.join(sorted(RCN_COUNTRIES))}): ring "
                    "the item by its own barcode or PLU")  # fmt: skip
        else:
            hint = (f"it is a label printed in store, read with {country.upper()}'s layout: "
                    "no product carries its item code (is it published by HQ?)")  # fmt: skip
        raise ProductNotFound(f"{error}: {hint}") from None


def basket_open(*, lane: Lane) -> Basket:
    """Open a new, empty basket on a lane."""
    with transaction.atomic():
        return Basket.objects.create(lane=lane)


def _open_basket(*, basket_id: uuid.UUID, lane: Lane) -> Basket:
    basket = Basket.objects.filter(id=basket_id, lane=lane).first()
    _refuse_unless_open(None if basket is None else basket.status, basket_id=basket_id, lane=lane)
    assert basket is not None  # noqa: S101 - refused above
    return basket


def _refuse_unless_open(status: str | None, *, basket_id: uuid.UUID, lane: Lane) -> None:
    """Raise unless a lane's basket was found (its status) and is open."""
    if status is None:
        raise BasketNotFound(f"No basket {basket_id} on {lane}")
    if status != BasketStatus.OPEN:
        raise BasketClosed(f"Basket {basket_id} is already {status}")


@contextmanager
def _basket_edit() -> Iterator[sqlite3.Cursor]:
    """A short write transaction for an edit of an open basket.

    Edits are atomic but are not fsync'd one by one (synchronous=NORMAL): a power cut may
    lose the last scans of a basket still open, never a completed sale. Completing a sale
    commits with synchronous=FULL, which makes every earlier edit durable too (WAL order).
    """
    db = connections[DEFAULT_DB_ALIAS]
    relax = not db.in_atomic_block  # inside a larger transaction, it decides
    with raw_cursor() as cursor:
        if relax:
            db.relax_durability(cursor)  # type: ignore[attr-defined]  # the store's backend
        try:
            with transaction.atomic(using=db.alias):
                yield cursor
        finally:
            if relax:
                db.restore_durability(cursor)  # type: ignore[attr-defined]


def basket_add_item(
    *,
    basket_id: uuid.UUID,
    lane: Lane,
    code: str,
    quantity: int | None = None,
    weight_kg: Decimal | None = None,
) -> tuple[int, str]:
    """Add the product a code designates to an open basket at its list price.

    Returns the config in force the product was taken from (its stamp).
    """
    stamp = config_stamp()
    scanned = parse_code(code, rules=barcode_rules(stamp))
    if scanned.expiry is not None:  # the store's date is read for a dated label only
        refuse_expired(scanned, today=timezone.localdate(timezone=store_place(stamp).zone))
    stamp, product = product_for_scan(scanned=scanned, stamp=stamp)
    measure = scanned_measure(
        scanned=scanned,
        name=product.name,
        by_weight=product.unit == Unit.KG,
        quantity=quantity,
        weight_kg=weight_kg,
    )
    if measure.weigh:
        measure = measure.weighed(lane_scale_weight(lane))
    with raw_edit() as cursor:  # the scan's one write, as _basket_edit's but without the ORM
        added = line_append(
            cursor,
            basket_id=basket_id,
            lane_id=lane.id,
            values={
                "sku": product.sku,
                "name": product.name,
                "code": code.strip(),
                "quantity": str(measure.quantity),
                "weight_kg": None if measure.weight_kg is None else str(measure.weight_kg),
                "unit_price": str(product.price_at(timezone.now())),
                "tax_class": product.tax_class,
                "tax_rate": str(product.tax_rate),
                "tax_inclusive": product.tax_inclusive,
                "category": product.category,
                "embedded_price": (
                    None if measure.embedded_price is None else str(measure.embedded_price)
                ),
                "change_reason": "",
                "approved_by": "",
            },
        )
        if not added:
            _open_basket(basket_id=basket_id, lane=lane)  # raises the reason
            raise BasketNotFound(f"No basket {basket_id} on {lane}")
    return stamp


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
    _tender_checked(method=method, amount=amount, terminal_reference=terminal_reference,
                    card_last4=card_last4)  # fmt: skip
    if method == TenderMethod.CARD and lane_terminal(lane) is not None:
        raise InvalidItem("this lane's terminal takes card payments: send the method and the "
                          "amount only, the terminal says the rest")  # fmt: skip
    # A card the terminal approved is the basket's tender before anything else is counted.
    lane_terminal_applied(lane)
    with _basket_edit() as cursor:
        already = _payment_sent_before(payment_id, basket_id=basket_id, method=method,
                                       amount=amount)  # fmt: skip
        if already is not None:
            return already
        refuse_while_open(lane)
        state = basket_state(cursor, basket_id=basket_id, lane_id=lane.id)
        _refuse_unless_open(None if state is None else state.status, basket_id=basket_id, lane=lane)
        assert state is not None  # noqa: S101 - refused above
        _refuse_beyond_due(cursor, state, method=method, amount=amount, basket_id=basket_id)
        return BasketPayment.objects.create(
            id=payment_id or uuid.uuid4(),
            basket_id=basket_id,
            method=method,
            amount=amount,
            terminal_reference=terminal_reference,
            card_last4=card_last4,
        )


def _refuse_beyond_due(cursor: sqlite3.Cursor, state: BasketState | None, *, method: str,
                      amount: Decimal, basket_id: uuid.UUID) -> None:  # fmt: skip
    assert state is not None  # noqa: S101 - an open basket's, checked before
    priced = basket_price(lines=basket_lines(cursor, basket_id=basket_id), state=state)
    payments = list(state.payments)
    paid = sum((a for _, a in payments), Decimal(0))
    due = amount_due(total=priced.total, payments=[*payments, (method, amount)]) - paid
    if due <= 0:
        raise BasketPaid("nothing is due: complete the sale")
    if method == TenderMethod.CARD and amount > due:
        raise InvalidItem(f"a card pays at most what is due ({due})")


def basket_pay_by_terminal(*, basket_id: uuid.UUID, lane: Lane, amount: Decimal,
                           payment_id: uuid.UUID | None = None) -> TerminalPayment:  # fmt: skip
    """Send `amount` (the basket's due, or a part of it) to the lane's terminal. The till
    sends it; nothing of the card is typed. The outcome follows (`basket_terminal_applied`).
    The same request sent again (a retry after the lane lost the answer) is the same payment:
    the terminal is not asked twice."""
    if payment_id is not None:
        sent = TerminalPayment.objects.filter(id=payment_id, lane=lane).first()
        if sent is not None:
            if sent.basket_id != basket_id or sent.amount != amount:
                raise Conflict("this payment id was used for another card payment")
            return sent
    # The terminal gives the reference and the card's last digits: only the amount is checked.
    _tender_checked(method=TenderMethod.CARD, amount=amount, terminal_reference="T",
                    card_last4="0000")  # fmt: skip
    if lane_terminal(lane) is None:
        raise InvalidItem("this lane has no terminal: record the card payment's reference "
                          "and last four digits")  # fmt: skip
    lane_terminal_applied(lane)
    with raw_cursor() as cursor:
        state = basket_state(cursor, basket_id=basket_id, lane_id=lane.id)
        _refuse_unless_open(None if state is None else state.status, basket_id=basket_id, lane=lane)
        _refuse_beyond_due(cursor, state, method=TenderMethod.CARD, amount=amount,
                           basket_id=basket_id)  # fmt: skip
    return start_payment(lane=lane, basket_id=basket_id, amount=amount, payment_id=payment_id)


def basket_terminal_applied(*, basket_id: uuid.UUID, lane: Lane) -> None:
    """Record the card payments the terminal approved for this basket as its tenders, each
    once (under the terminal payment's id), whoever asks first: the lane that waited, the
    page that followed it, another payment, or completion."""
    _apply(TerminalPayment.objects.filter(basket_id=basket_id, lane=lane, applied=False,
                                          state=TerminalPayment.State.APPROVED))  # fmt: skip


def lane_terminal_applied(lane: Lane) -> None:
    """Record every card payment the lane's terminal approved as its basket's tender."""
    _apply(TerminalPayment.objects.filter(lane=lane, applied=False, basket_id__isnull=False,
                                          state=TerminalPayment.State.APPROVED))  # fmt: skip


def _apply(approved: QuerySet[TerminalPayment]) -> None:
    for payment in approved:
        assert payment.basket_id is not None  # noqa: S101 - filtered
        with transaction.atomic():
            BasketPayment.objects.get_or_create(
                id=payment.id,
                defaults={"basket_id": payment.basket_id, "method": TenderMethod.CARD,
                          "amount": payment.amount,
                          "terminal_reference": payment.reference or payment.receipt_number,
                          "card_last4": payment.card_last4},
            )  # fmt: skip
            TerminalPayment.objects.filter(id=payment.id).update(applied=True)


def _tender_checked(*, method: str, amount: Decimal, terminal_reference: str,
                    card_last4: str) -> None:  # fmt: skip
    if method not in TenderMethod.values:
        raise InvalidItem(f"unknown payment method {method!r}")
    if not Decimal("0.01") <= amount <= MAX_TENDER or amount != amount.quantize(Decimal("0.01")):
        raise InvalidItem(f"amount must be between 0.01 and {MAX_TENDER}, in cents")
    if method == TenderMethod.CARD:
        refused = card_tender_refused(terminal_reference=terminal_reference, card_last4=card_last4)
        if refused:
            raise InvalidItem(refused)
    elif terminal_reference or card_last4:
        raise InvalidItem("a terminal reference and last four digits are for card payments")


def _payment_sent_before(
    payment_id: uuid.UUID | None, *, basket_id: uuid.UUID, method: str, amount: Decimal
) -> BasketPayment | None:
    """The payment recorded under this id before (a double click, a retry), if any."""
    if payment_id is None:
        return None
    already = BasketPayment.objects.filter(id=payment_id).first()
    if already is not None and (already.basket_id, already.method, already.amount) != (
        basket_id,
        method,
        amount,
    ):
        raise InvalidItem(f"payment {payment_id} was recorded as something else")
    return already


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
