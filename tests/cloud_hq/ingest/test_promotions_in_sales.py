"""Sales carry every adjustment, their coupons and loyalty card; HQ keeps them and flags a
single-use coupon redeemed twice."""

from decimal import Decimal
from typing import Any

from cloud_hq.ingest.models import CouponRedemption, Sale, SaleLine
from tests.cloud_hq.catalog.test_import_catalog import Import
from tests.cloud_hq.conftest import StoreClient, Till, catalog_document

WELCOME = {
    "code": "WELCOME5", "name": "Welcome coupon", "kind": "basket_threshold",
    "threshold": "10.00", "amount": "5.00", "coupon": "WELCOME5", "single_use": True,
    "starts": "2026-01-01T00:00:00+00:00", "ends": "2099-01-01T00:00:00+00:00",
}  # fmt: skip


def with_coupon_and_adjustment(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    document = entries[0]["payload"]
    document.update(member_card="MEMBER42", coupons=["WELCOME5"], cash_rounding="-0.02")
    line = document["lines"][0]
    line["base_amount"] = line["amount"]
    line["adjustments"] = [{"promotion": "WELCOME5", "amount": "5.00",
                            "reason": "Welcome coupon: spend 10.00, get 5.00 off"}]  # fmt: skip
    return entries


def test_adjustments_cards_and_coupons_are_kept_with_the_sale(
    hq: StoreClient, till: Till, import_catalog: Import
) -> None:
    document = catalog_document()
    document["promotions"] = [WELCOME]
    import_catalog(document)
    entries = with_coupon_and_adjustment(till.sale(("100001", "20", "0.79")))
    answer = hq.push(entries)
    assert answer.status_code == 200, answer.content
    sale = Sale.objects.get()
    assert (sale.member_card, sale.coupons, sale.cash_rounding) == (
        "MEMBER42", ["WELCOME5"], Decimal("-0.02")
    )  # fmt: skip
    line = SaleLine.objects.get()
    reason = "Welcome coupon: spend 10.00, get 5.00 off"
    assert line.adjustments == [{"promotion": "WELCOME5", "amount": "5.00", "reason": reason}]
    assert line.base_amount == Decimal("15.80")


def test_a_single_use_coupon_redeemed_twice_is_flagged(
    hq: StoreClient, till: Till, import_catalog: Import
) -> None:
    document = catalog_document()
    document["promotions"] = [WELCOME]
    import_catalog(document)
    first = with_coupon_and_adjustment(till.sale(("100001", "20", "0.79")))
    second = with_coupon_and_adjustment(till.sale(("100001", "20", "0.79")))
    assert hq.push(first + second).status_code == 200
    redemptions = list(CouponRedemption.objects.order_by("sale__number"))
    assert [(r.code, r.single_use, r.repeated) for r in redemptions] == [
        ("WELCOME5", True, False),
        ("WELCOME5", True, True),
    ]
