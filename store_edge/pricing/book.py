"""The promotions of the config in force, as the engine's PromotionBook (built once per
config per process: a new config is a new key)."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from store_edge.catalog.models import Promotion as PromotionRow
from store_edge.pricing.domain import Kind, Promotion, PromotionBook, Window


def promotion_of(definition: dict[str, Any]) -> Promotion:
    """Turn a promotion as HQ published it into the engine's Promotion."""
    hours = definition.get("hours")

    def decimal(name: str) -> Decimal | None:
        value = definition.get(name)
        return None if value is None else Decimal(str(value))

    kind = Kind(definition["kind"])
    return Promotion(
        code=definition["code"],
        name=definition["name"],
        kind=kind,
        window=Window(
            starts=datetime.fromisoformat(definition["starts"]),
            ends=datetime.fromisoformat(definition["ends"]),
            weekdays=frozenset(definition.get("weekdays", [])),
            opens=time.fromisoformat(hours[0]) if hours else None,
            closes=time.fromisoformat(hours[1]) if hours else None,
        ),
        skus=frozenset(definition.get("skus", [])),
        categories=frozenset(definition.get("categories", [])),
        stores=frozenset(definition.get("stores", [])),
        priority=int(definition.get("priority", 0)),
        stackable=bool(definition.get("stackable", False)),
        members_only=bool(definition.get("members_only", False)) or kind is Kind.MEMBER_PRICE,
        coupon=definition.get("coupon", ""),
        percent=decimal("percent"),
        amount=decimal("amount"),
        price=decimal("price"),
        quantity=int(definition.get("quantity") or 0),
        get_quantity=int(definition.get("get_quantity") or 0),
        get_percent=decimal("get_percent") or Decimal(100),
        threshold=decimal("threshold"),
        added=datetime.fromisoformat(definition["added"]) if definition.get("added") else None,
    )


@lru_cache(maxsize=4)
def promotion_book(stamp: tuple[int, str]) -> PromotionBook:
    """Return the promotions of the config `stamp` (version, applied at) as a book."""
    definitions = PromotionRow.objects.values_list("definition", flat=True)
    return PromotionBook.of(promotion_of(d) for d in definitions)
