"""Feed a basket's lines to the pricing engine."""

from collections.abc import Iterable

from store_edge.pricing.domain import LineInput, PricedBasket, TaxRule, price_basket
from store_edge.sales.sql import LineRow


def basket_price(*, lines: Iterable[LineRow]) -> PricedBasket:
    """Price the lines of a basket with the engine."""
    return price_basket(
        [
            LineInput(
                line_id=line.id,
                sku=line.sku,
                quantity=line.sold_quantity,
                unit_price=line.unit_price,
                tax=TaxRule(line.tax_class, line.tax_rate, line.tax_inclusive),
            )
            for line in lines
        ]
    )
