"""Prices from price books: which one is in force for a store at a moment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Scope(StrEnum):
    CHAIN = "chain"
    REGION = "region"
    STORE = "store"


SCOPE_RANK = {Scope.CHAIN: 0, Scope.REGION: 1, Scope.STORE: 2}


@dataclass(frozen=True, slots=True)
class PriceEntry:
    """A price from a price book, valid from `starts` (inclusive) to `ends` (exclusive)."""

    price: Decimal
    scope: Scope = Scope.CHAIN
    starts: datetime | None = None
    ends: datetime | None = None

    def valid_at(self, at: datetime) -> bool:
        return (self.starts is None or self.starts <= at) and (self.ends is None or at < self.ends)


def list_price(*, base: Decimal, entries: Iterable[PriceEntry], at: datetime) -> Decimal:
    """Return the price in force at `at`: the most specific book wins, then the latest start."""
    valid = [e for e in entries if e.valid_at(at)]
    if not valid:
        return base
    best = max(
        valid,
        key=lambda e: (SCOPE_RANK[e.scope], e.starts or datetime.min.replace(tzinfo=at.tzinfo)),
    )
    return best.price
