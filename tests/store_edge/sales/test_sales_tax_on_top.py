"""Sales tax added on top of prices (`inclusive: false`), at a rate of five decimals (New
York City's 8.875 %): exact from the config to the basket, the sale, the receipt and the
ledger entry HQ receives; rounded once per class per receipt, half up."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.test import Client

from store_edge.catalog.models import TaxClass
from store_edge.catalog.services import ProductData, TaxClassData, catalog_apply
from store_edge.ledger.models import LedgerEntry
from store_edge.sales.models import SaleTax
from tests.store_edge.conftest import BREAD, WATER, LaneClient, snapshot
from tests.store_edge.pos.test_pages import signed_in

NYC = TaxClassData("NY", Decimal("0.08875"), False)
FOOD = TaxClassData("FOOD", Decimal("0"), False)


@pytest.fixture
def lane_api(db: None, lane_token: str) -> LaneClient:
    products = [
        ProductData("100001", "Sparkling water 1 l", Decimal("0.79"), "each", "NY", "drinks",
                    "", (WATER,)),
        ProductData("200036", "Wholegrain bread", Decimal("2.49"), "each", "FOOD", "bakery",
                    "", (BREAD,)),
    ]  # fmt: skip
    catalog_apply(
        snapshot=replace(snapshot(), currency="USD", tax_classes=(NYC, FOOD)), products=products
    )
    return LaneClient(lane_token)


def test_a_five_decimal_rate_is_kept_exactly_in_the_store(lane_api: LaneClient) -> None:
    assert TaxClass.objects.get(code="NY").rate == Decimal("0.08875")


def test_tax_on_top_is_shown_apart_and_added_to_what_is_due(
    lane_api: LaneClient, lane_token: str, staff: None
) -> None:
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER, "quantity": 3})
    status, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD})
    assert status == 200, basket
    # 3 × 0.79 = 2.37 taxed at 8.875 %: 0.2103375, rounded once for the class: 0.21
    taxes = {t["tax_class"]: t for t in basket["taxes"]}
    assert taxes["NY"] == {"tax_class": "NY", "rate": "0.08875", "inclusive": False,
                           "net": "2.37", "tax": "0.21", "gross": "2.58"}  # fmt: skip
    assert taxes["FOOD"] | {"rate": "0"} == {"tax_class": "FOOD", "rate": "0",
                                             "inclusive": False, "net": "2.49", "tax": "0.00",
                                             "gross": "2.49"}  # fmt: skip
    # the lines are priced before tax; the total and what is due include it
    assert [line["amount"] for line in basket["lines"]] == ["2.37", "2.49"]
    assert (basket["subtotal"], basket["tax_total"], basket["total"]) == ("4.86", "0.21", "5.07")
    assert basket["amount_due"] == "5.07"

    status, paid = lane_api.post(
        f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "5.07"}
    )
    assert status == 200, paid
    status, sale = lane_api.post(f"/baskets/{basket_id}/complete")
    assert status == 201, sale
    assert (sale["total"], sale["tax_total"]) == ("5.07", "0.21")
    stored = SaleTax.objects.get(sale_id=sale["id"], tax_class="NY")
    assert (stored.rate, stored.inclusive, stored.tax) == (Decimal("0.08875"), False,
                                                           Decimal("0.21"))  # fmt: skip
    # what HQ receives carries the rate as it is
    entry = LedgerEntry.objects.get(kind="sale_completed")
    sent = {t["tax_class"]: t for t in entry.payload["taxes"]}
    assert Decimal(sent["NY"]["rate"]) == Decimal("0.08875")
    assert sent["NY"]["inclusive"] is False

    receipt = signed_in(Client(), lane_token).get(f"/pos/receipts/{sale['id']}")
    text = receipt.content.decode()
    assert "8.875 %" in text
    assert "NY incl." not in text  # tax on top is not marked as included
