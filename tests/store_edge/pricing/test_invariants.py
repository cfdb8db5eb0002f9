"""Properties every priced basket has, whatever the promotions (hypothesis)."""

import dataclasses
import random
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from store_edge.pricing.domain import (
    EXACT_SEARCH_LIMIT,
    Context,
    Kind,
    LineInput,
    Promotion,
    PromotionBook,
    TaxRule,
    price_basket,
)
from tests.store_edge.pricing.test_promotions import ALL_YEAR, THURSDAY_10AM

# A store charges either VAT included in prices or sales tax on top, never both.
REGIMES = [
    [TaxRule("STD", Decimal("0.19"), True), TaxRule("RED", Decimal("0.07"), True)],
    [TaxRule("NY", Decimal("0.08875"), False), TaxRule("FOOD", Decimal("0"), False)],
]
SKUS = {f"sku{n}": ("drinks" if n < 4 else "snacks") for n in range(8)}

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50.00"), places=2)


@st.composite
def lines(draw: st.DrawFn) -> list[LineInput]:
    rows = draw(st.lists(st.sampled_from(sorted(SKUS)), min_size=0, max_size=12))
    prices = {sku: draw(money) for sku in SKUS}
    regime = draw(st.sampled_from(REGIMES))
    taxes = {sku: draw(st.sampled_from(regime)) for sku in SKUS}
    return [
        LineInput(
            line_id=f"l{n}",
            sku=sku,
            quantity=Decimal(draw(st.integers(min_value=1, max_value=4))),
            unit_price=prices[sku],
            tax=taxes[sku],
            category=SKUS[sku],
        )
        for n, sku in enumerate(rows)
    ]


@st.composite
def promotions(draw: st.DrawFn, code: str) -> Promotion:
    kind = draw(st.sampled_from(list(Kind)))
    targets = draw(st.sets(st.sampled_from(sorted(SKUS)), min_size=1, max_size=4))
    common = {
        "code": code,
        "name": code,
        "kind": kind,
        "window": ALL_YEAR,
        "skus": frozenset(targets),
        "categories": frozenset(draw(st.sets(st.sampled_from(["drinks", "snacks"]), max_size=1))),
        "priority": draw(st.integers(min_value=0, max_value=3)),
        "stackable": draw(st.booleans()),
    }
    if kind is Kind.PERCENT_OFF:
        return Promotion(**common, percent=Decimal(draw(st.integers(1, 100))))
    if kind is Kind.AMOUNT_OFF:
        return Promotion(**common, amount=draw(money))
    if kind is Kind.MEMBER_PRICE:
        return Promotion(**common, price=draw(money))
    if kind in (Kind.MULTI_BUY, Kind.MIX_AND_MATCH):
        return Promotion(**common, quantity=draw(st.integers(2, 4)), price=draw(money))
    if kind is Kind.BUY_X_GET_Y:
        return Promotion(**common, quantity=draw(st.integers(1, 3)),
                         get_quantity=draw(st.integers(1, 2)),
                         get_percent=Decimal(draw(st.integers(1, 100))))  # fmt: skip
    threshold = draw(money)
    if draw(st.booleans()):
        return Promotion(**common, threshold=threshold, percent=Decimal(draw(st.integers(1, 50))))
    return Promotion(**common, threshold=threshold, amount=draw(money))


@st.composite
def books(draw: st.DrawFn, size: int = 4) -> list[Promotion]:
    count = draw(st.integers(min_value=0, max_value=size))
    return [draw(promotions(f"p{n}")) for n in range(count)]


CONTEXT = Context(at=THURSDAY_10AM, member=True)


@given(lines(), books())
def test_the_total_is_the_lines_less_adjustments_plus_exclusive_tax(
    basket: list[LineInput], promos: list[Promotion]
) -> None:
    priced = price_basket(basket, context=CONTEXT, book=PromotionBook.of(promos))
    exclusive_tax = sum((t.tax for t in priced.taxes if not t.inclusive), Decimal(0))
    assert priced.total == priced.subtotal - priced.discount_total + exclusive_tax
    assert priced.subtotal == sum((p.base_amount for p in priced.lines), Decimal(0))
    for line in priced.lines:
        assert line.amount >= 0
        assert line.amount == line.base_amount - sum(
            (a.amount for a in line.adjustments), Decimal(0)
        )
        assert all(a.amount > 0 and a.reason for a in line.adjustments), line.adjustments


# Beyond the search's limit, the chain decides: the books go past it.
BEYOND = EXACT_SEARCH_LIMIT + 6
# The properties that matter most get more examples (more still with a profile's).
MANY = max(200, settings.default.max_examples)


@settings(deadline=None)  # up to 14 promotions priced 3 times: the bench times pricing
@given(lines(), books(size=BEYOND), st.randoms())
def test_the_scanning_order_changes_nothing(
    basket: list[LineInput], promos: list[Promotion], rng: random.Random
) -> None:
    book = PromotionBook.of(promos)
    shuffled = list(basket)
    rng.shuffle(shuffled)
    first = price_basket(basket, context=CONTEXT, book=book)
    second = price_basket(shuffled, context=CONTEXT, book=PromotionBook.of(reversed(promos)))
    assert (first.total, first.taxes, first.discount_total) == (
        second.total,
        second.taxes,
        second.discount_total,
    )
    assert {p.line_id: p for p in first.lines} == {p.line_id: p for p in second.lines}
    assert price_basket(basket, context=CONTEXT, book=book) == first


@settings(max_examples=MANY, deadline=None)
@given(lines(), books(size=BEYOND), promotions("extra"), st.integers(0, 3))
def test_adding_a_promotion_never_raises_the_total(
    basket: list[LineInput], promos: list[Promotion], extra: Promotion, way: int
) -> None:
    """At any number of competing promotions, for the one that went live last: created
    at HQ, started or come into its hours after the others."""
    later = THURSDAY_10AM - timedelta(minutes=5)
    newest = [
        dataclasses.replace(extra, added=later),
        dataclasses.replace(extra, window=dataclasses.replace(extra.window, starts=later)),
        dataclasses.replace(extra, window=dataclasses.replace(
            extra.window, opens=later.time(), closes=THURSDAY_10AM.replace(hour=11).time())),
        extra,  # on equal moments, the code decides: "extra" goes live before "p0"
    ][way]  # fmt: skip
    if way == 3:
        promos = [dataclasses.replace(p, added=later) for p in promos]
        newest = dataclasses.replace(newest, added=later, code="z-extra")
    before = price_basket(basket, context=CONTEXT, book=PromotionBook.of(promos))
    after = price_basket(basket, context=CONTEXT, book=PromotionBook.of([*promos, newest]))
    assert after.total <= before.total


@settings(max_examples=MANY // 2, deadline=None)
@given(lines(), books(size=EXACT_SEARCH_LIMIT - 1), promotions("extra"))
def test_within_the_search_adding_any_promotion_never_raises_the_total(
    basket: list[LineInput], promos: list[Promotion], extra: Promotion
) -> None:
    """Up to the search's limit, whichever promotion is added (not only the newest)."""
    first = dataclasses.replace(extra, added=ALL_YEAR.starts - timedelta(days=1))
    before = price_basket(basket, context=CONTEXT, book=PromotionBook.of(promos))
    after = price_basket(basket, context=CONTEXT, book=PromotionBook.of([*promos, first]))
    assert after.total <= before.total


def test_the_search_limit_is_what_the_readme_says() -> None:
    assert EXACT_SEARCH_LIMIT == 8  # "up to eight competing, whichever is added"
