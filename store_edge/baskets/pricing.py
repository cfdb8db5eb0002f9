"""Feed a basket to the pricing engine, with the promotions of the config in force, and
what a customer must pay for it."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from store_edge.baskets.models import TenderMethod
from store_edge.baskets.scan_path import BasketState, LineRow
from store_edge.catalog.selectors import cash_increment, config_stamp, prior_price_of, store_place
from store_edge.pricing.book import promotion_book
from store_edge.pricing.domain import (
    Adjustment,
    Context,
    LineInput,
    ManualDiscount,
    PricedBasket,
    PricedLine,
    TaxRule,
    cash_due,
    price_basket,
)


def basket_price(
    *,
    lines: Iterable[LineRow],
    state: BasketState | None = None,
    at: datetime | None = None,
    stamp: tuple[int, str] | None = None,
) -> PricedBasket:
    """Price the lines of a basket with the engine, at `at` (now when not given), with the
    promotions of the config `stamp` (the one in force when not given)."""

    stamp = stamp or config_stamp()
    context = Context(
        at=at or timezone.now(),
        store=settings.STORE_ID,
        member=bool(state and state.member_card),
        coupons=frozenset(state.coupons) if state else frozenset(),
        zone=store_place(stamp).zone,  # HQ's zone for the store, else TIME_ZONE: happy hours
    )
    return price_basket(
        [_line_input(line) for line in lines], context=context, book=promotion_book(stamp)
    )


def _line_input(line: LineRow) -> LineInput:
    discount = None
    if line.discount_percent is not None or line.discount_amount is not None:
        discount = ManualDiscount(
            reason=line.change_reason,
            approved_by=line.approved_by,
            percent=line.discount_percent,
            amount=line.discount_amount,
        )
    return LineInput(
        line_id=line.id,
        sku=line.sku,
        quantity=line.sold_quantity,
        unit_price=line.unit_price,
        tax=TaxRule(line.tax_class, line.tax_rate, line.tax_inclusive),
        category=line.category,
        weighed=line.weight_kg is not None,
        embedded_price=line.embedded_price,
        override_price=line.override_price,
        override_reason=line.change_reason if line.override_price is not None else "",
        discount=discount,
    )


def amount_due(
    *, total: Decimal, payments: list[tuple[str, Decimal]], stamp: tuple[int, str] | None = None
) -> Decimal:
    """What the customer must pay: the total, rounded to the cash increment when the
    store rounds cash and every tender is cash (of the config `stamp`, else the one now)."""
    increment = cash_increment(stamp or config_stamp())
    if increment and all(method == TenderMethod.CASH for method, _ in payments):
        return cash_due(total, increment=increment)
    return total


def adjustments_wire(adjustments: Iterable[Adjustment]) -> list[dict[str, str]]:
    """A line's adjustments as the lane API answers them."""
    return [
        {"promotion": a.promotion, "amount": str(a.amount), "reason": a.reason} for a in adjustments
    ]


def line_prior_price(
    *, line: LineRow, priced: PricedLine, stamp: tuple[int, str], at: datetime
) -> Decimal | None:
    """The lowest 30-day price to show beside a line's reduction (EU Omnibus), as the lane
    shows it and the receipt keeps it."""
    return prior_price_of(
        stamp=stamp, sku=line.sku, at=at, promotions=[a.promotion for a in priced.adjustments],
        book_priced=line.embedded_price is None and line.override_price is None,
    )  # fmt: skip
