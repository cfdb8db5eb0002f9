"""What a scan makes: the rules that turn a scanned code and its product into a basket
line's measure, apart from SQL and Django (their tests need no database).

- An item past the expiry date its label carries (GS1 AI 17) is not sold.
- A count label (GS1 Germany's 25/26, AI 30) gives the line's quantity; it is scanned
  alone, and never on a product sold by weight.
- A product sold by weight takes the weight given, or the label's, or — when neither a
  weight nor a price is on the label — the lane's scale (`weigh`); in grams, at most
  999.999 kg. It is one line of quantity 1.
- A product sold by the piece takes a quantity (1 to 9,999), never a weight; a label that
  carries its price is scanned one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from devices.barcodes import ScannedCode
from store_edge.baskets.errors import InvalidItem

GRAM = Decimal("0.001")
MAX_QUANTITY = 9999
MAX_WEIGHT_KG = Decimal("999.999")


@dataclass(frozen=True, slots=True)
class LineMeasure:
    """How much of a product a scan adds: pieces, or a weight, and the label's price."""

    quantity: Decimal
    weight_kg: Decimal | None = None
    embedded_price: Decimal | None = None
    weigh: bool = False  # the weight is still to be read from the lane's scale

    def weighed(self, weight_kg: Decimal) -> LineMeasure:
        """The measure once the lane's scale gave `weight_kg`."""
        return replace(self, weight_kg=weight_sellable(weight_kg), weigh=False)


def weight_sellable(weight_kg: Decimal) -> Decimal:
    """Return the weight if it can be sold (0.001-999.999 kg, in grams), else refuse it."""
    if not Decimal("0.001") <= weight_kg <= MAX_WEIGHT_KG or weight_kg != weight_kg.quantize(GRAM):
        raise InvalidItem(f"weight must be between 0.001 and {MAX_WEIGHT_KG} kg, in grams")
    return weight_kg


def refuse_expired(scanned: ScannedCode, *, today: date) -> None:
    """Refuse an item past its label's expiry date (before its product is even looked up)."""
    if scanned.expired(today):
        raise InvalidItem(f"expired on {scanned.expiry}: this item may not be sold")


def scanned_measure(
    *,
    scanned: ScannedCode,
    name: str,
    by_weight: bool,
    quantity: int | None,
    weight_kg: Decimal | None,
) -> LineMeasure:
    """What a scan of the product `name` adds to a basket, or InvalidItem saying why not."""
    price = scanned.price
    if scanned.count is not None:
        if by_weight:
            raise InvalidItem(f"{name} is sold by weight: its label cannot give a count")
        if quantity not in (None, scanned.count):
            raise InvalidItem(f"the label gives the count ({scanned.count}): scan it alone")
        quantity = scanned.count
    if by_weight:
        if quantity not in (None, 1):
            raise InvalidItem(f"{name} is sold by weight: give a weight, not a quantity")
        weight_kg = weight_kg or scanned.weight_kg
        if weight_kg is None and price is None:
            return LineMeasure(quantity=Decimal(1).quantize(GRAM), weigh=True)
        weight = None if weight_kg is None else weight_sellable(weight_kg)
        return LineMeasure(Decimal(1).quantize(GRAM), weight, price)
    if weight_kg is not None:
        raise InvalidItem(f"{name} is sold by the piece: give a quantity, not a weight")
    if price is not None and quantity not in (None, 1):
        raise InvalidItem("an item priced by its label is scanned one at a time")
    quantity = 1 if quantity is None else quantity
    if not 1 <= quantity <= MAX_QUANTITY:
        raise InvalidItem(f"quantity must be between 1 and {MAX_QUANTITY}")
    return LineMeasure(Decimal(quantity).quantize(GRAM), None, price)
