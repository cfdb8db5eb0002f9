"""Median time to price a 100-line basket against 5,000 live promotions (pure engine).

The chain the product is sized for: 200,000 products in 400 categories, 5,000 live promotions (item
promotions on 1-3 products each, 2 % of them category-wide, one in 200 a basket
promotion, one in 20 stacking). A shopper's basket: 30 % of its lines are promoted
products (about the share of grocery volume sold on promotion), the rest drawn from the
whole catalogue; 1-3 pieces per line. `dense=True` prices a basket made only of promoted
products, the worst case, for comparison.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime
from decimal import Decimal

from store_edge.pricing.domain import (
    Context,
    Kind,
    LineInput,
    Promotion,
    PromotionBook,
    TaxRule,
    Window,
    price_basket,
)

VAT = [TaxRule("STD", Decimal("0.19"), True), TaxRule("RED", Decimal("0.07"), True)]
CATEGORIES = [f"cat{n}" for n in range(400)]


def catalogue(rng: random.Random, size: int = 200_000) -> list[tuple[str, str, Decimal, TaxRule]]:
    return [
        (f"{200000 + n}", rng.choice(CATEGORIES), Decimal(rng.randint(29, 1999)) / 100,
         rng.choice(VAT))
        for n in range(size)
    ]  # fmt: skip


def promotions(rng: random.Random, products: list, count: int = 5000) -> list[Promotion]:
    window = Window(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    # A chain's mix: mostly item promotions, a few dozen basket promotions.
    mix = ([Kind.PERCENT_OFF] * 30 + [Kind.AMOUNT_OFF] * 20 + [Kind.MEMBER_PRICE] * 10
           + [Kind.MULTI_BUY] * 15 + [Kind.MIX_AND_MATCH] * 10
           + [Kind.BUY_X_GET_Y] * 15)  # fmt: skip
    result = []
    for n in range(count):
        kind = Kind.BASKET_THRESHOLD if n % 200 == 0 else mix[n % len(mix)]
        skus = frozenset(rng.choice(products)[0] for _ in range(rng.randint(1, 3)))
        categories = frozenset({rng.choice(CATEGORIES)}) if n % 50 == 0 else frozenset()
        common = {"code": f"P{n:05d}", "name": f"Promotion {n}", "kind": kind, "window": window,
                  "skus": skus, "categories": categories, "priority": rng.randint(0, 3),
                  "stackable": n % 20 == 5}  # fmt: skip
        if kind is Kind.PERCENT_OFF:
            result.append(Promotion(**common, percent=Decimal(rng.choice([5, 10, 20, 30]))))
        elif kind is Kind.AMOUNT_OFF:
            result.append(Promotion(**common, amount=Decimal("0.20")))
        elif kind is Kind.MEMBER_PRICE:
            result.append(Promotion(**common, price=Decimal("0.99")))
        elif kind in (Kind.MULTI_BUY, Kind.MIX_AND_MATCH):
            result.append(Promotion(**common, quantity=3, price=Decimal("5.00")))
        elif kind is Kind.BUY_X_GET_Y:
            result.append(Promotion(**common, quantity=2, get_quantity=1))
        else:
            result.append(Promotion(**common, threshold=Decimal(rng.choice([30, 50, 100])),
                                    amount=Decimal("5.00")))  # fmt: skip
    return result


def pricing_median_ms(*, runs: int = 300, dense: bool = False) -> float:
    rng = random.Random(2026)  # noqa: S311 - benchmark data
    products = catalogue(rng)
    book = PromotionBook.of(promotions(rng, products))
    # A basket drawn among the promoted products, so that promotions really compete.
    promoted = sorted({sku for p in book.promotions for sku in p.skus})
    by_sku = {sku: (category, price, tax) for sku, category, price, tax in products}
    lines = []
    for n in range(100):
        sku = rng.choice(promoted) if dense or n % 10 < 3 else rng.choice(products)[0]
        category, price, tax = by_sku[sku]
        lines.append(LineInput(f"line{n}", sku, Decimal(rng.randint(1, 3)), price, tax, category))
    return _median_ms(lines, book, warm_up=20, runs=runs)


def _median_ms(lines: list[LineInput], book: PromotionBook, *, warm_up: int, runs: int) -> float:
    """Median time to price `lines` with `book`, after `warm_up` pricings."""
    context = Context(at=datetime(2026, 11, 26, 10, tzinfo=UTC), member=True)
    for _ in range(warm_up):
        price_basket(lines, context=context, book=book)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        price_basket(lines, context=context, book=book)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def contested_basket() -> tuple[list[LineInput], PromotionBook]:
    """A 40-line basket in a week of heavy promotions: every unit is targeted by 8
    promotions that do not stack. Its 40 products are in 5 categories of 8; each category
    has 4 category-wide promotions (any 3 for a price, buy 2 get 1 free, 10 % off, 0.30 off
    each) and each product 4 more, each shared with a neighbouring product (2 for a price,
    a member price, 20 % off, buy 1 get 1 at half price): they all compete."""
    rng = random.Random(40)  # noqa: S311 - benchmark data
    window = Window(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    skus = [f"{300000 + n}" for n in range(40)]
    category = {sku: f"week{n // 8}" for n, sku in enumerate(skus)}
    promos: list[Promotion] = []
    for c in sorted(set(category.values())):
        on = {"window": window, "categories": frozenset({c})}
        promos += [
            Promotion(f"{c}-any3", f"Any 3 {c}", Kind.MIX_AND_MATCH, quantity=3,
                      price=Decimal("6.00"), **on),
            Promotion(f"{c}-3for2", f"{c} 3 for 2", Kind.BUY_X_GET_Y, quantity=2,
                      get_quantity=1, **on),
            Promotion(f"{c}-10", f"{c} 10 % off", Kind.PERCENT_OFF, percent=Decimal(10), **on),
            Promotion(f"{c}-030", f"{c} 0.30 off", Kind.AMOUNT_OFF, amount=Decimal("0.30"),
                      **on),
        ]  # fmt: skip
    for n, sku in enumerate(skus):
        pair = frozenset({sku, skus[(n + 1) % len(skus)]})
        on = {"window": window, "skus": pair}
        promos += [
            Promotion(f"{sku}-2for", f"2 for 4.50 ({n})", Kind.MULTI_BUY, quantity=2,
                      price=Decimal("4.50"), **on),
            Promotion(f"{sku}-member", f"Member price ({n})", Kind.MEMBER_PRICE,
                      price=Decimal(rng.randint(150, 290)) / 100, members_only=True, **on),
            Promotion(f"{sku}-20", f"20 % off ({n})", Kind.PERCENT_OFF, percent=Decimal(20),
                      **on),
            Promotion(f"{sku}-b1g1", f"Second at half price ({n})", Kind.BUY_X_GET_Y,
                      quantity=1, get_quantity=1, get_percent=Decimal(50), **on),
        ]  # fmt: skip
    lines = [
        LineInput(f"line{n}", sku, Decimal(rng.randint(1, 3)), Decimal(rng.randint(149, 399)) / 100,
                  VAT[n % 2], category[sku])
        for n, sku in enumerate(skus)
    ]  # fmt: skip
    return lines, PromotionBook.of(promos)


def contested_median_ms(*, runs: int = 50) -> float:
    lines, book = contested_basket()
    return _median_ms(lines, book, warm_up=3, runs=runs)
