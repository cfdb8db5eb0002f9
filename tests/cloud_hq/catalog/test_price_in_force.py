"""HQ holds a sale to the one price-in-force rule, and publishes each store the books that
apply to it: every case of the shared table (tests/contract/price_in_force.json)."""

from __future__ import annotations

from typing import Any

import pytest

from cloud_hq.catalog.models import PriceBook, PriceEntry
from cloud_hq.catalog.prices import book_applies, price_in_force
from tests.contract.price_cases import CASES, moment, money


def entry(spec: dict[str, Any]) -> PriceEntry:
    book = PriceBook(code="B", scope=spec["scope"], region=spec.get("region", ""),
                     store=spec.get("store", ""))  # fmt: skip
    return PriceEntry(book=book, sku="100001", price=money(spec["price"]),
                      starts=moment(spec.get("starts")), ends=moment(spec.get("ends")))  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_hq_prices_each_case_of_the_shared_table(case: dict[str, Any]) -> None:
    store = case["store"]
    for spec in case["entries"]:
        applies = book_applies(scope=spec["scope"], region=spec.get("region", ""),
                               store=spec.get("store", ""), to_store=store["code"],
                               to_region=store["region"])  # fmt: skip
        assert applies is spec["applies"], spec
    at = moment(case["at"])
    assert at is not None
    found = price_in_force(base=money(case["base"]), entries=[entry(e) for e in case["entries"]],
                           store=store["code"], region=store["region"], at=at)  # fmt: skip
    assert found == money(case["price"])
