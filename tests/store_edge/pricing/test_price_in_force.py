"""The store prices by the one price-in-force rule: every case of the shared table
(tests/contract/price_in_force.json), given the entries HQ publishes to the store."""

from __future__ import annotations

from typing import Any

import pytest

from store_edge.pricing.domain import PriceEntry, Scope, list_price
from tests.contract.price_cases import CASES, moment, money


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_store_prices_each_case_of_the_shared_table(case: dict[str, Any]) -> None:
    published = [
        PriceEntry(price=money(e["price"]), scope=Scope(e["scope"]), starts=moment(e.get("starts")),
                   ends=moment(e.get("ends")))
        for e in case["entries"] if e["applies"]
    ]  # fmt: skip
    at = moment(case["at"])
    assert at is not None
    assert list_price(base=money(case["base"]), entries=published, at=at) == money(case["price"])
