"""Tax per class per receipt: computed once on the class total, rounded with `round_money`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from store_edge.pricing.domain.money import round_money


@dataclass(frozen=True, slots=True)
class TaxRule:
    code: str
    rate: Decimal
    inclusive: bool

    def __hash__(self) -> int:  # the engine keys its class totals by rule, often
        return hash(self.code)


@dataclass(frozen=True, slots=True)
class TaxLine:
    """One tax class on the receipt: what was taxed, the tax, and the gross."""

    code: str
    rate: Decimal
    inclusive: bool
    net: Decimal
    tax: Decimal
    gross: Decimal


def tax_for_class(*, rule: TaxRule, amount: Decimal) -> TaxLine:
    """Return the tax of one class on the receipt, computed once on the class total."""
    if rule.inclusive:
        tax = round_money(amount * rule.rate / (1 + rule.rate))
        return TaxLine(rule.code, rule.rate, True, amount - tax, tax, amount)
    tax = round_money(amount * rule.rate)
    return TaxLine(rule.code, rule.rate, False, amount, tax, amount + tax)
