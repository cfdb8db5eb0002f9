"""The pricing engine's rules, read as a grocery's price rules. No database."""

import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store_edge.pricing.domain import (
    LineInput,
    TaxRule,
    line_amount,
    price_basket,
    round_money,
    tax_for_class,
)

VAT_19 = TaxRule("STD", Decimal("0.19"), inclusive=True)
VAT_7 = TaxRule("RED", Decimal("0.07"), inclusive=True)
SALES_TAX = TaxRule("NY", Decimal("0.08875"), inclusive=False)


def line(n: int, price: str, quantity: str = "1", tax: TaxRule = VAT_19) -> LineInput:
    return LineInput(f"l{n}", f"sku{n}", Decimal(quantity), Decimal(price), tax)


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [("0.125", "0.13"), ("0.135", "0.14"), ("-0.125", "-0.13"), ("0.1249", "0.12"), ("2", "2.00")],
)
def test_money_rounds_half_up_to_the_cent(amount: str, rounded: str) -> None:
    assert round_money(Decimal(amount)) == Decimal(rounded)


def test_a_weighed_line_is_weight_times_price_per_kg() -> None:
    assert line_amount(quantity=Decimal("0.512"), unit_price=Decimal("1.99")) == Decimal("1.02")


def test_inclusive_vat_is_extracted_from_the_gross() -> None:
    tax = tax_for_class(rule=VAT_7, amount=Decimal("4.98"))
    assert (tax.net, tax.tax, tax.gross) == (Decimal("4.65"), Decimal("0.33"), Decimal("4.98"))


def test_exclusive_sales_tax_is_added_on_top() -> None:
    basket = price_basket([line(1, "10.00", tax=SALES_TAX)])
    assert basket.subtotal == Decimal("10.00")
    assert basket.tax_total == Decimal("0.89")  # 0.8875 rounds half up
    assert basket.total == Decimal("10.89")


def test_tax_is_computed_per_class_on_the_receipt_not_per_line() -> None:
    # Three 0.10 items at 19 %: per line 3 × 0.02 = 0.06, on the receipt 0.30 → 0.05
    basket = price_basket([line(n, "0.10") for n in range(3)])
    assert basket.tax_total == Decimal("0.05")


def test_a_mixed_receipt_has_one_tax_line_per_class() -> None:
    basket = price_basket(
        [line(1, "2.49", "2", VAT_7), line(2, "0.79"), line(3, "1.99", "0.512", VAT_7)]
    )
    assert [(t.code, t.gross, t.tax) for t in basket.taxes] == [
        ("RED", Decimal("6.00"), Decimal("0.39")),
        ("STD", Decimal("0.79"), Decimal("0.13")),
    ]
    assert basket.total == basket.subtotal == Decimal("6.79")


def test_an_empty_basket_costs_nothing() -> None:
    basket = price_basket([])
    assert (basket.total, basket.tax_total, basket.taxes) == (Decimal("0"), Decimal("0"), ())


prices = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("999.99"), places=2)
quantities = st.integers(min_value=1, max_value=50).map(Decimal)
rules = st.sampled_from([VAT_19, VAT_7, SALES_TAX])
baskets = st.lists(st.tuples(prices, quantities, rules), max_size=30).map(
    lambda rows: [line(n, str(p), str(q), r) for n, (p, q, r) in enumerate(rows)]
)


@given(baskets)
def test_the_total_is_the_lines_plus_exclusive_tax(lines: list[LineInput]) -> None:
    basket = price_basket(lines)
    exclusive_tax = sum((t.tax for t in basket.taxes if not t.inclusive), Decimal("0"))
    assert basket.subtotal == sum((p.amount for p in basket.lines), Decimal("0"))
    assert basket.total == basket.subtotal - basket.discount_total + exclusive_tax
    assert all(p.amount >= 0 for p in basket.lines)
    assert all(t.tax >= 0 and t.net + t.tax == t.gross for t in basket.taxes)


@given(baskets, st.randoms())
def test_the_order_of_scanning_does_not_change_the_result(
    lines: list[LineInput], rng: random.Random
) -> None:
    shuffled = list(lines)
    rng.shuffle(shuffled)
    first, second = price_basket(lines), price_basket(shuffled)
    assert (first.total, first.tax_total, first.taxes) == (
        second.total,
        second.tax_total,
        second.taxes,
    )
    assert price_basket(lines) == first  # same input, same output
