"""The store's pricing engine: pure Python, no Django.

The engine takes the lines of a basket, each with its unit price and tax rule, and
returns the amount of every line and the receipt's tax summary per tax class. Money is
Decimal throughout and is rounded in one place, `round_money`, with an explicit mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONEY_ROUNDING = ROUND_HALF_UP


def round_money(
    amount: Decimal, *, quantum: Decimal = CENT, rounding: str = MONEY_ROUNDING
) -> Decimal:
    """Round an amount to the currency's minor unit (half up unless told otherwise)."""
    return amount.quantize(quantum, rounding=rounding)


@dataclass(frozen=True, slots=True)
class TaxRule:
    code: str
    rate: Decimal
    inclusive: bool


@dataclass(frozen=True, slots=True)
class LineInput:
    line_id: str
    sku: str
    quantity: Decimal  # pieces for items sold by the piece, kilograms for weighed items
    unit_price: Decimal
    tax: TaxRule


@dataclass(frozen=True, slots=True)
class PricedLine:
    line_id: str
    sku: str
    amount: Decimal
    tax_code: str


@dataclass(frozen=True, slots=True)
class TaxLine:
    """One tax class on the receipt: what was taxed, the tax, and the gross."""

    code: str
    rate: Decimal
    inclusive: bool
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass(frozen=True, slots=True)
class PricedBasket:
    lines: tuple[PricedLine, ...]
    taxes: tuple[TaxLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal


def line_amount(*, quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Return the amount of a line before promotions: quantity (or weight) times price."""
    return round_money(quantity * unit_price)


def tax_for_class(*, rule: TaxRule, amount: Decimal) -> TaxLine:
    """Return the tax of one class on the receipt, computed once on the class total."""
    if rule.inclusive:
        tax = round_money(amount * rule.rate / (1 + rule.rate))
        return TaxLine(rule.code, rule.rate, True, amount - tax, tax, amount)
    tax = round_money(amount * rule.rate)
    return TaxLine(rule.code, rule.rate, False, amount, tax, amount + tax)


def price_basket(lines: Sequence[LineInput]) -> PricedBasket:
    """Price a basket: line amounts, tax per class per receipt, and the totals."""
    priced = tuple(
        PricedLine(
            line.line_id,
            line.sku,
            line_amount(quantity=line.quantity, unit_price=line.unit_price),
            line.tax.code,
        )
        for line in lines
    )
    taxes = _tax_summary(lines, priced)
    subtotal = sum((p.amount for p in priced), ZERO)
    tax_total = sum((t.tax for t in taxes), ZERO)
    total = sum((t.gross for t in taxes), ZERO)
    return PricedBasket(priced, taxes, subtotal, ZERO, tax_total, total)


def _tax_summary(lines: Sequence[LineInput], priced: Iterable[PricedLine]) -> tuple[TaxLine, ...]:
    rules = {line.tax.code: line.tax for line in lines}
    per_class: dict[str, Decimal] = {}
    for p in priced:
        per_class[p.tax_code] = per_class.get(p.tax_code, ZERO) + p.amount
    return tuple(
        tax_for_class(rule=rules[code], amount=amount) for code, amount in sorted(per_class.items())
    )
