"""The store's pricing engine: pure Python, no Django.

Given the lines of a basket, the moment of the sale and the promotions of the config in
force, the engine returns what every line costs, every adjustment with the promotion that
gave it and why, the tax per class, and the totals. The same input always gives the same
output, whatever order the items were scanned in.

Rules, in the order they apply:

1. A line's base amount is its quantity (pieces, or kilograms for weighed goods) times its
   unit price; a price carried by the barcode is the line's amount as it is.
2. A manager's price override replaces the unit price (the difference is shown as an
   adjustment); an overridden or barcode-priced line takes no promotion.
3. Item promotions. A unit takes at most one promotion that does not stack; where up to
   EXACT_SEARCH_LIMIT such promotions compete for the same units, the engine prices every
   subset of them in two fixed orders and keeps the one that leaves the customer the
   lowest total (ties: the fuller choice, higher priorities first, then codes), so that
   adding a promotion never raises a total. Beyond, they are chained in the order they
   went live, each kept only where it lowers the total: the one that went live last never
   raises it.
   Stacking promotions then apply on what is left, in priority order.
4. Basket promotions ("spend 50.00, get 5.00 off"): qualification is on the spend at list
   prices, the discount on what is left after item promotions; of several that do not
   stack the best one applies, stacking ones all apply. Basket discounts are shared out
   over the lines in proportion to their amounts, so tax and returns stay exact.
5. A manager's line discount applies last, on what is left of the line.
6. Tax per class per receipt, on the lines' amounts after adjustments, rounded once per
   class with `round_money`.

Money is Decimal, rounded only by `round_money` (half up to the cent unless told).

The package: `money` (rounding, cash), `tax` (per class per receipt), `prices` (price
books), `promotions` (kinds, windows, the book) and `engine` (price_basket). Pure Python,
no Django: the Django side (the book built from the config in force) is
store_edge.pricing.book.
"""

from store_edge.pricing.domain.engine import (
    EXACT_SEARCH_LIMIT,
    Adjustment,
    LineInput,
    ManualDiscount,
    PricedBasket,
    PricedLine,
    price_basket,
    refund_amount,
)
from store_edge.pricing.domain.money import (
    CENT,
    HUNDRED,
    MONEY_ROUNDING,
    ZERO,
    cash_due,
    line_amount,
    round_money,
)
from store_edge.pricing.domain.prices import SCOPE_RANK, PriceEntry, Scope, list_price
from store_edge.pricing.domain.promotions import (
    EMPTY_BOOK,
    GROUP_KINDS,
    ITEM_KINDS,
    Context,
    Kind,
    Promotion,
    PromotionBook,
    Window,
)
from store_edge.pricing.domain.tax import TaxLine, TaxRule, tax_for_class

__all__ = [
    "CENT", "EMPTY_BOOK", "EXACT_SEARCH_LIMIT", "GROUP_KINDS", "HUNDRED", "ITEM_KINDS",
    "MONEY_ROUNDING", "SCOPE_RANK", "ZERO", "Adjustment", "Context", "Kind", "LineInput",
    "ManualDiscount", "PriceEntry", "PricedBasket", "PricedLine", "Promotion", "PromotionBook",
    "Scope", "TaxLine", "TaxRule", "Window", "cash_due", "line_amount", "list_price",
    "price_basket", "refund_amount", "round_money", "tax_for_class",
]  # fmt: skip
