"""Beyond the search's limit: competing promotions are added in the order they went live,
and the newest never raises a total. No database."""

import dataclasses
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from store_edge.pricing.domain import (
    EXACT_SEARCH_LIMIT,
    Context,
    Kind,
    LineInput,
    Promotion,
    PromotionBook,
    Window,
    price_basket,
)
from tests.bench.pricing_bench import contested_basket
from tests.store_edge.pricing.test_promotions import ALL_YEAR, THURSDAY_10AM, VAT, line, promo

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_promotion_went_live_when_it_was_added_started_or_its_hours_opened() -> None:
    rule = promo("p", Kind.PERCENT_OFF, skus={"cola"}, percent=10)
    assert rule.went_live(THURSDAY_10AM) == ALL_YEAR.starts  # started
    added = THURSDAY_10AM - timedelta(hours=1)
    assert dataclasses.replace(rule, added=added).went_live(THURSDAY_10AM) == added
    # Hours open each day anew, by the store's clock: 10:00 UTC is 11:00 in Berlin
    hours = dataclasses.replace(ALL_YEAR, opens=time(9), closes=time(12))
    happy = dataclasses.replace(rule, window=hours)
    assert happy.went_live(THURSDAY_10AM, BERLIN) == datetime(2026, 11, 26, 8, tzinfo=UTC)
    assert happy.went_live(THURSDAY_10AM) == datetime(2026, 11, 26, 9, tzinfo=UTC)
    # On chosen weekdays only: the day began at the store's midnight
    thursdays = dataclasses.replace(ALL_YEAR, weekdays=frozenset({3}))
    weekly = dataclasses.replace(rule, window=thursdays)
    assert weekly.went_live(THURSDAY_10AM, BERLIN) == datetime(2026, 11, 25, 23, tzinfo=UTC)
    # A local window (no offset) starts by the store's clock
    local = dataclasses.replace(rule, window=Window(datetime(2026, 11, 26), ALL_YEAR.ends))  # noqa: DTZ001
    assert local.went_live(THURSDAY_10AM, BERLIN) == datetime(2026, 11, 25, 23, tzinfo=UTC)


def competing(count: int) -> list[Promotion]:
    """`count` promotions on the same four products, of every kind that does not stack."""
    kinds = [
        {"kind": Kind.MULTI_BUY, "quantity": 2, "price": "3.00"},
        {"kind": Kind.PERCENT_OFF, "percent": 15},
        {"kind": Kind.BUY_X_GET_Y, "quantity": 2, "get_quantity": 1},
        {"kind": Kind.AMOUNT_OFF, "amount": "0.40"},
        {"kind": Kind.MIX_AND_MATCH, "quantity": 3, "price": "4.50"},
    ]
    products = ["cola", "water", "juice", "chips"]
    return [
        promo(
            f"p{n:03}",
            **kinds[n % len(kinds)],  # type: ignore[arg-type]
            skus={products[n % 4], products[(n + 1) % 4]},
            added=ALL_YEAR.starts + timedelta(hours=n),
        )  # fmt: skip
        for n in range(count)
    ]


BASKET = [line("cola", "3"), line("water", "4"), line("juice", "2"), line("chips", "5")]


def test_each_promotion_added_beyond_the_limit_lowers_the_total_or_leaves_it() -> None:
    context = Context(at=THURSDAY_10AM)
    totals = [
        price_basket(BASKET, context=context, book=PromotionBook.of(competing(n))).total
        for n in range(EXACT_SEARCH_LIMIT + 15)
    ]
    assert totals == sorted(totals, reverse=True), totals
    assert totals[-1] < totals[EXACT_SEARCH_LIMIT]  # the chain still finds savings


def test_a_promotion_added_first_is_chained_in_its_place_not_last() -> None:
    """The order is when they went live, not the codes: an old promotion with the last
    code is added first, and the newest (first by code) last."""
    promotions = competing(EXACT_SEARCH_LIMIT + 4)
    newest = dataclasses.replace(
        promotions[0], code="a-newest", added=THURSDAY_10AM - timedelta(minutes=1)
    )
    context = Context(at=THURSDAY_10AM)
    without = price_basket(BASKET, context=context, book=PromotionBook.of(promotions))
    with_it = price_basket(BASKET, context=context, book=PromotionBook.of([*promotions, newest]))
    assert with_it.total <= without.total


def test_the_contested_basket_of_the_benchmark_never_pays_more_for_its_newest_promotion() -> None:
    lines, book = contested_basket()
    context = Context(at=datetime(2026, 6, 1, tzinfo=UTC))
    newest = Promotion("zz-newest", "Everything 25 % off", Kind.PERCENT_OFF,
                       book.promotions[0].window, percent=Decimal(25),
                       categories=frozenset(f"week{n}" for n in range(5)))  # fmt: skip
    before = price_basket(lines, context=context, book=book)
    after = price_basket(lines, context=context, book=PromotionBook.of([*book.promotions, newest]))
    assert after.total <= before.total < before.subtotal


def test_hundreds_of_promotions_on_one_category_are_priced() -> None:
    """A chain hundreds long (a hostile or careless config) is walked, not recursed."""
    lines = [LineInput(f"l{n}", f"sku{n}", Decimal(2), Decimal("3.99"), VAT, "dairy")
             for n in range(12)]  # fmt: skip
    promotions = [
        promo(
            f"d{n:04}",
            Kind.MULTI_BUY if n % 2 else Kind.PERCENT_OFF,
            categories={"dairy"},
            quantity=2 + n % 3,
            price=str(Decimal("6.00") - Decimal(n % 50) / 100),
            percent=1 + n % 40,
        )  # fmt: skip
        for n in range(600)
    ]
    priced = price_basket(lines, context=Context(at=THURSDAY_10AM),
                          book=PromotionBook.of(promotions))  # fmt: skip
    assert priced.total < priced.subtotal
    assert all(a.amount > 0 for p in priced.lines for a in p.adjustments)


def test_when_hq_added_a_promotion_reaches_the_engine_and_a_clockless_one_is_refused() -> None:
    from pydantic import ValidationError

    from store_edge.pricing.book import promotion_of
    from store_edge.sync.contract import PromotionWire

    wire = {"code": "W10", "name": "Water 10 % off", "kind": "percent_off", "skus": ["100001"],
            "percent": "10", "starts": "2026-01-01T00:00:00+00:00",
            "ends": "2027-01-01T00:00:00+00:00", "added": "2026-11-20T08:30:00+01:00"}  # fmt: skip
    definition = PromotionWire.model_validate(wire).model_dump(mode="json")
    assert promotion_of(definition).added == datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    assert promotion_of({**definition, "added": None}).added is None  # protocol 1's HQ
    for bad in ("2026-11-20T08:30:00", "yesterday", "2026-13-01T00:00:00+00:00"):
        with pytest.raises(ValidationError):
            PromotionWire.model_validate({**wire, "added": bad})
