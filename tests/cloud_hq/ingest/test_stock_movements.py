"""HQ's stock per store: Σ movements, and a count turned into an adjustment delta at its
place in the store's sequence."""

import uuid
from decimal import Decimal

from cloud_hq.reconciliation.models import CountAdjustment, StockLevel
from tests.cloud_hq.conftest import StoreClient, Till


def test_movements_add_up_and_a_count_sets_the_stock(hq: StoreClient, till: Till) -> None:
    doc = uuid.uuid4()
    entries = [
        till._entry("delivery", doc, sku="100001", quantity="24.000"),
        *till.sale(("100001", "2", "0.79")),
        till._entry("waste", doc, sku="100001", quantity="-1.000"),
        till._entry("count", doc, sku="100001", quantity="20.000"),
        till._entry("transfer_in", doc, sku="100001", quantity="5.000"),
        till._entry("count", doc, sku="200036", quantity="0.000"),
    ]
    answer = hq.push(entries)
    assert answer.status_code == 200, answer.content
    assert answer.json()["high_water_mark"] == len(entries)
    levels = dict(StockLevel.objects.values_list("sku", "quantity"))
    assert levels == {"100001": Decimal("25.000"), "200036": Decimal("0.000")}
    adjustments = list(
        CountAdjustment.objects.order_by("seq").values_list("sku", "before", "counted", "delta")
    )
    assert adjustments == [
        ("100001", Decimal("21.000"), Decimal("20.000"), Decimal("-1.000")),
        ("200036", Decimal("0.000"), Decimal("0.000"), Decimal("0.000")),
    ]


def test_a_negative_count_is_quarantined_and_moves_nothing(hq: StoreClient, till: Till) -> None:
    answer = hq.push([till._entry("count", uuid.uuid4(), sku="100001", quantity="-1.000")])
    assert answer.status_code == 200
    assert "quantity counted" in answer.json()["quarantined"][0]["reason"]
    assert StockLevel.objects.count() == 0


def test_a_kind_hq_does_not_know_yet_is_quarantined_not_blocking(
    hq: StoreClient, till: Till
) -> None:
    unknown = till._entry("shrinkage", uuid.uuid4(), sku="100001", quantity="-1.000")
    answer = hq.push([unknown, till.movement("100001", "-2.000")])
    assert answer.status_code == 200
    assert [q["seq"] for q in answer.json()["quarantined"]] == [1]
    assert "kind" in answer.json()["quarantined"][0]["reason"]
    assert StockLevel.objects.get().quantity == Decimal("-2.000")
