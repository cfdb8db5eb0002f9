"""Money: Decimal amounts, rounded only by `round_money` (half up to the cent unless told),
and what a cash customer pays where the store rounds cash."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
MONEY_ROUNDING = ROUND_HALF_UP


def round_money(
    amount: Decimal, *, quantum: Decimal = CENT, rounding: str = MONEY_ROUNDING
) -> Decimal:
    """Round an amount to the currency's minor unit (half up unless told otherwise)."""
    return amount.quantize(quantum, rounding=rounding)


def cash_due(total: Decimal, *, increment: Decimal | None) -> Decimal:
    """Return what a cash customer pays: the total rounded to the cash increment (0.05…)."""
    if not increment or increment <= CENT:
        return total
    steps = (total / increment).quantize(Decimal(1), rounding=MONEY_ROUNDING)
    return (steps * increment).quantize(CENT)


def line_amount(*, quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Return the amount of a line before promotions: quantity (or weight) times price."""
    return round_money(quantity * unit_price)
