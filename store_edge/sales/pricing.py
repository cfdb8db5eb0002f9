"""Feed a basket's lines to the pricing engine."""

from collections.abc import Iterable

from store_edge.pricing.domain import LineInput, PricedBasket, TaxRule, price_basket
from store_edge.sales.models import BasketLine


def basket_price(*, lines: Iterable[BasketLine]) -> PricedBasket:
    """Price the lines of a basket with the engine."""
    return price_basket(
        [
            LineInput(
                line_id=str(line.id),
                sku=line.sku,
                quantity=line.weight_kg if line.weight_kg is not None else line.quantity,
                unit_price=line.unit_price,
                tax=TaxRule(line.tax_class, line.tax_rate, line.tax_inclusive),
            )
            for line in lines
        ]
    )
