"""Which price is in force for a store at a moment: HQ's one rule, used by publishing (what
a store receives) and by reconciliation (what a sale should have cost).

A price book applies to every store (chain), to a region's stores, or to one store; an
entry is valid from `starts` (inclusive) to `ends` (exclusive), either open. Of the valid
entries that apply, the most specific book wins, then the latest start; without one, the
product's own price. The store prices by the same rule (store_edge.pricing.domain.prices):
both are tested against one table of cases (tests/contract/price_in_force.json).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from cloud_hq.catalog.models import PriceEntry, PriceScope

SCOPE_RANK = {PriceScope.CHAIN: 0, PriceScope.REGION: 1, PriceScope.STORE: 2}


def book_applies(*, scope: str, region: str, store: str, to_store: str, to_region: str) -> bool:
    """Whether a book of `scope` (for `region` or `store`) applies to the store `to_store`
    of `to_region` (a store without a region takes no region's book)."""
    return bool(
        scope == PriceScope.CHAIN
        or (scope == PriceScope.REGION and bool(to_region) and region == to_region)
        or (scope == PriceScope.STORE and store == to_store)
    )


def price_in_force(
    *, base: Decimal, entries: Iterable[PriceEntry], store: str, region: str, at: datetime
) -> Decimal:
    """The price in force for the store `store` (of `region`) at `at`."""
    valid = [
        e for e in entries
        if (e.starts is None or e.starts <= at) and (e.ends is None or at < e.ends)
        and book_applies(scope=e.book.scope, region=e.book.region, store=e.book.store,
                         to_store=store, to_region=region)
    ]  # fmt: skip
    if not valid:
        return base
    earliest = datetime.min.replace(tzinfo=at.tzinfo)
    best = max(valid, key=lambda e: (SCOPE_RANK[PriceScope(e.book.scope)], e.starts or earliest))
    return best.price
