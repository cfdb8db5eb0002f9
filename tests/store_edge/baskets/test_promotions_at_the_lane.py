"""Promotions, cards, coupons and supervisor changes as a lane rings them up."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from store_edge.baskets.models import BasketLine
from store_edge.catalog.selectors import config_stamp, product_for_code
from store_edge.catalog.services import (
    ConfigSnapshot,
    PriceData,
    PriorPriceData,
    ProductData,
    TaxClassData,
    catalog_apply,
)
from store_edge.ledger.models import LedgerEntry
from store_edge.sales.models import Sale, SaleLine
from store_edge.staff.services import staff_member_create
from tests.store_edge.conftest import BREAD, PRODUCTS, WATER, LaneClient

ALWAYS = {"starts": "2026-01-01T00:00:00+00:00", "ends": "2099-01-01T00:00:00+00:00"}


def promotion(code: str, kind: str, **fields: object) -> dict:
    return {"code": code, "name": code.replace("-", " ").title(), "kind": kind, **ALWAYS,
            "weekdays": [], "hours": None, "skus": [], "categories": [], "stores": [],
            "priority": 0, "stackable": False, "members_only": False, "coupon": "",
            "single_use": False, **fields}  # fmt: skip


WATER_3_FOR_2 = promotion("water-3for2", "multi_buy", skus=["100001"], quantity=3, price="2.00")
BREAD_MEMBERS = promotion("bread-members", "member_price", skus=["200036"], price="1.99")
WELCOME = promotion("welcome", "basket_threshold", threshold="5.00", amount="1.00",
                    coupon="WELCOME1")  # fmt: skip


def apply_config(version: int, *promotions: dict, cash_rounding: str | None = None,
                 prices: dict[str, tuple[PriceData, ...]] | None = None,
                 time_zone: str = "",
                 prior_prices: tuple[PriorPriceData, ...] = ()) -> None:  # fmt: skip
    products = [
        ProductData(p.sku, p.name, p.price, p.unit, p.tax_class, p.category, p.plu, p.barcodes,
                    (prices or {}).get(p.sku, ()))
        for p in PRODUCTS
    ]  # fmt: skip
    catalog_apply(
        snapshot=ConfigSnapshot(
            version=version,
            published_at=datetime(2026, 11, 1, tzinfo=UTC),
            store_name="Test store",
            currency="CHF" if cash_rounding else "EUR",
            tax_classes=(
                TaxClassData("STD", Decimal("0.19"), True),
                TaxClassData("RED", Decimal("0.07"), True),
            ),  # fmt: skip
            promotions=promotions,
            cash_rounding=Decimal(cash_rounding) if cash_rounding else None,
            time_zone=time_zone,
            prior_prices=prior_prices,
        ),
        products=products,
    )


@pytest.fixture
def lane_with_promotions(lane_token: str) -> LaneClient:
    apply_config(1, WATER_3_FOR_2, BREAD_MEMBERS, WELCOME)
    return LaneClient(lane_token)


@pytest.fixture
def supervisor(db: None) -> str:
    staff_member_create(code="77", name="Sam Supervisor", role="supervisor", pin="4321")
    staff_member_create(code="12", name="Cat Cashier", role="cashier", pin="1234")
    return "77"


def test_a_multi_buy_shows_on_the_basket_and_travels_with_the_sale(
    lane_with_promotions: LaneClient,
) -> None:
    basket_id = lane_with_promotions.new_basket()
    _, basket = lane_with_promotions.post(f"/baskets/{basket_id}/items",
                                          {"code": WATER, "quantity": 3})  # fmt: skip
    (line,) = basket["lines"]
    reason = "Water 3For2: 3 for 2.00: 3 × 0.79 → 2.00"
    assert line["adjustments"] == [{"promotion": "water-3for2", "amount": "0.37", "reason": reason}]
    assert (basket["subtotal"], basket["discount_total"], basket["total"]) == (
        "2.37", "0.37", "2.00"
    )  # fmt: skip
    lane_with_promotions.post(
        f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "2.00"}
    )
    status, sale = lane_with_promotions.post(f"/baskets/{basket_id}/complete")
    assert status == 201
    stored = SaleLine.objects.get(sale_id=sale["id"])
    assert (stored.base_amount, stored.amount) == (Decimal("2.37"), Decimal("2.00"))
    assert stored.adjustments[0]["promotion"] == "water-3for2"
    document = LedgerEntry.objects.get(kind="sale_completed").payload
    assert document["lines"][0]["adjustments"][0]["amount"] == "0.37"
    assert document["config_version"] == 1


def test_a_loyalty_card_unlocks_member_prices(lane_with_promotions: LaneClient) -> None:
    basket_id = lane_with_promotions.new_basket()
    _, basket = lane_with_promotions.post(f"/baskets/{basket_id}/items", {"code": BREAD})
    assert basket["total"] == "2.49"
    status, basket = lane_with_promotions.post(f"/baskets/{basket_id}/loyalty",
                                               {"card": "MEMBER0042"})  # fmt: skip
    assert status == 200
    assert (basket["member_card"], basket["total"]) == ("MEMBER0042", "1.99")


def test_a_coupon_unlocks_its_promotion_once(lane_with_promotions: LaneClient) -> None:
    basket_id = lane_with_promotions.new_basket()
    lane_with_promotions.post(f"/baskets/{basket_id}/items", {"code": BREAD, "quantity": 3})
    status, basket = lane_with_promotions.post(f"/baskets/{basket_id}/coupons",
                                               {"code": "welcome1"})  # fmt: skip
    assert status == 200
    assert (basket["coupons"], basket["total"]) == (["WELCOME1"], "6.47")
    status, answer = lane_with_promotions.post(f"/baskets/{basket_id}/coupons",
                                               {"code": "WELCOME1"})  # fmt: skip
    assert status == 422
    assert "already" in answer["detail"]


@pytest.mark.parametrize("body", [{"card": "12"}, {"card": "card with spaces"}, {"card": ""}])
def test_a_bad_loyalty_card_is_refused(lane_with_promotions: LaneClient, body: dict) -> None:
    basket_id = lane_with_promotions.new_basket()
    status, _ = lane_with_promotions.post(f"/baskets/{basket_id}/loyalty", body)
    assert status == 422


def test_a_price_override_needs_a_supervisors_pin(
    lane_with_promotions: LaneClient, supervisor: str
) -> None:
    basket_id = lane_with_promotions.new_basket()
    _, basket = lane_with_promotions.post(f"/baskets/{basket_id}/items", {"code": BREAD})
    line_id = basket["lines"][0]["id"]
    change = {"price": "1.00", "reason": "damaged packaging", "supervisor": "77"}
    path = f"/baskets/{basket_id}/items/{line_id}/change"
    for wrong in ({**change, "pin": "0000"}, {**change, "supervisor": "12", "pin": "1234"},
                  {**change, "supervisor": "99", "pin": "4321"}):  # fmt: skip
        status, answer = lane_with_promotions.post(path, wrong)
        assert status == 403, answer
        assert BasketLine.objects.get(id=line_id).override_price is None
    status, basket = lane_with_promotions.post(path, {**change, "pin": "4321"})
    assert status == 200
    assert basket["total"] == "1.00"
    assert basket["lines"][0]["adjustments"][0]["reason"] == (
        "price override 2.49 → 1.00: damaged packaging"
    )
    assert BasketLine.objects.get(id=line_id).approved_by == "77"


def test_a_line_discount_applies_after_promotions(
    lane_with_promotions: LaneClient, supervisor: str
) -> None:
    basket_id = lane_with_promotions.new_basket()
    _, basket = lane_with_promotions.post(f"/baskets/{basket_id}/items",
                                          {"code": WATER, "quantity": 3})  # fmt: skip
    status, basket = lane_with_promotions.post(
        f"/baskets/{basket_id}/items/{basket['lines'][0]['id']}/change",
        {"discount_percent": "10", "reason": "regular customer", "supervisor": "77", "pin": "4321"},
    )
    assert status == 200
    assert [a["amount"] for a in basket["lines"][0]["adjustments"]] == ["0.37", "0.20"]
    assert basket["total"] == "1.80"


@pytest.mark.parametrize(
    "change",
    [
        {"reason": "no change given"},
        {"price": "1.00", "discount_percent": "5", "reason": "two changes"},
        {"price": "1.00", "reason": "x"},
        {"discount_percent": "150", "reason": "too much"},
        {"price": "-1", "reason": "negative"},
    ],
)
def test_a_bad_line_change_is_refused_and_changes_nothing(
    lane_with_promotions: LaneClient, supervisor: str, change: dict
) -> None:
    basket_id = lane_with_promotions.new_basket()
    _, basket = lane_with_promotions.post(f"/baskets/{basket_id}/items", {"code": BREAD})
    line_id = basket["lines"][0]["id"]
    status, _ = lane_with_promotions.post(
        f"/baskets/{basket_id}/items/{line_id}/change",
        {**change, "supervisor": "77", "pin": "4321"},
    )
    assert status == 422
    line = BasketLine.objects.get(id=line_id)
    assert (line.override_price, line.discount_percent, line.change_reason) == (None, None, "")


def test_cash_is_rounded_to_five_cents_where_the_store_rounds_cash(lane_token: str) -> None:
    apply_config(1, cash_rounding="0.05")
    lane = LaneClient(lane_token)
    basket_id = lane.new_basket()
    _, basket = lane.post(f"/baskets/{basket_id}/items", {"code": "4011", "weight_kg": "0.512"})
    assert (basket["total"], basket["cash_total"]) == ("1.02", "1.00")
    assert (basket["amount_due"], basket["cash_due"]) == ("1.02", "1.00")  # exact, and in cash
    lane.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "2.00"})
    status, sale = lane.post(f"/baskets/{basket_id}/complete")
    assert status == 201
    assert (sale["total"], sale["change"], sale["cash_rounding"]) == ("1.02", "1.00", "-0.02")
    assert Sale.objects.get().cash_rounding == Decimal("-0.02")


def test_a_card_pays_the_exact_amount_due_where_the_store_rounds_cash(lane_token: str) -> None:
    apply_config(1, cash_rounding="0.05")
    lane = LaneClient(lane_token)
    basket_id = lane.new_basket()
    _, basket = lane.post(f"/baskets/{basket_id}/items", {"code": "4011", "weight_kg": "0.512"})
    status, paid = lane.post(f"/baskets/{basket_id}/payments",
                             {"method": "card", "amount": basket["amount_due"],
                              "terminal_reference": "T-1", "card_last4": "4242"})  # fmt: skip
    assert status == 200, paid
    assert (paid["amount_due"], paid["cash_due"]) == ("0.00", "0.00")
    status, sale = lane.post(f"/baskets/{basket_id}/complete")
    assert status == 201, sale
    assert (sale["total"], sale["change"], sale["cash_rounding"]) == ("1.02", "0.00", "0.00")


@pytest.mark.parametrize(
    ("cash", "amount_due", "cash_due"),
    [
        ("0.50", "0.52", "0.50"),  # the rest by card is exact, in cash rounded
        ("1.00", "0.00", "0.00"),  # the rounded total in cash settles the sale
    ],
)
def test_what_is_due_after_some_cash_is_exact_for_a_card_and_rounded_for_cash(
    lane_token: str, cash: str, amount_due: str, cash_due: str
) -> None:
    apply_config(1, cash_rounding="0.05")
    lane = LaneClient(lane_token)
    basket_id = lane.new_basket()
    lane.post(f"/baskets/{basket_id}/items", {"code": "4011", "weight_kg": "0.512"})  # 1.02
    _, basket = lane.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": cash})
    assert (basket["amount_due"], basket["cash_due"]) == (amount_due, cash_due)
    if amount_due != "0.00":
        status, card = lane.post(f"/baskets/{basket_id}/payments",
                                 {"method": "card", "amount": amount_due,
                                  "terminal_reference": "T-2", "card_last4": "4242"})  # fmt: skip
        assert status == 200, card
    status, sale = lane.post(f"/baskets/{basket_id}/complete")
    assert status == 201, sale


def test_a_future_price_takes_over_on_its_date(lane_token: str) -> None:
    tomorrow = timezone.now() + timedelta(days=1)
    apply_config(1, prices={"100001": (PriceData(Decimal("0.69"), "chain", starts=tomorrow),
                                       PriceData(Decimal("0.75"), "store"))})  # fmt: skip
    from devices.barcodes import parse_code

    _, water = product_for_code(scanned=parse_code(WATER))
    assert water.price_at(timezone.now()) == Decimal("0.75")  # the store's own book wins
    assert water.price_at(tomorrow) == Decimal("0.75")
    apply_config(2, prices={"100001": (PriceData(Decimal("0.69"), "chain", starts=tomorrow),)})
    _, water = product_for_code(scanned=parse_code(WATER))
    assert config_stamp()[0] == 2
    assert water.price_at(timezone.now()) == Decimal("0.79")
    assert water.price_at(tomorrow) == Decimal("0.69")


def hours_around_local_noon() -> tuple[str, list[str]]:
    """A zone where it is about noon now (never near midnight), and hours around that noon:
    a promotion with them is live by that zone's clock, and would not be by UTC's."""
    now = timezone.now()
    offset = (12 - now.hour) or 1
    local = now + timedelta(hours=offset)
    hours = [f"{local - timedelta(minutes=20):%H:%M}", f"{local + timedelta(minutes=20):%H:%M}"]
    return f"Etc/GMT{-offset:+d}", hours  # Etc/GMT-5 is five hours ahead of UTC


@pytest.mark.parametrize("zone_from", ["store settings", "HQ"])
def test_a_happy_hour_runs_in_the_store_s_own_time_zone(  # type: ignore[no-untyped-def]
    lane_token: str, settings, zone_from: str
) -> None:
    zone, hours = hours_around_local_noon()
    water_hour = promotion("water-hour", "percent_off", skus=["100001"], percent="50",
                           hours=hours)  # fmt: skip
    if zone_from == "HQ":  # published with the store; the store box's own TIME_ZONE is UTC
        settings.TIME_ZONE = "UTC"
        apply_config(1, water_hour, time_zone=zone)
    else:
        settings.TIME_ZONE = zone
        apply_config(1, water_hour)
    lane = LaneClient(lane_token)
    basket_id = lane.new_basket()
    status, basket = lane.post(f"/baskets/{basket_id}/items", {"code": WATER})
    assert status == 200, basket
    assert [a["promotion"] for a in basket["lines"][0]["adjustments"]] == ["water-hour"]
    # The same hours in a store on UTC: not now.
    settings.TIME_ZONE = "UTC"
    apply_config(2, water_hour)
    status, basket = lane.post(f"/baskets/{basket_id}/items", {"code": WATER})
    assert status == 200, basket
    assert all(not line["adjustments"] for line in basket["lines"]), basket["lines"]


WATER_20 = promotion("water-20", "percent_off", skus=["100001"], percent="20")


def test_a_reduced_line_shows_the_lowest_price_of_the_30_days_before(
    lane_token: str, supervisor: str
) -> None:
    from django.test import Client

    from tests.store_edge.pos.test_pages import signed_in

    # HQ published water's 20 % with its lowest 30-day price 0.69, and bread's book reduction
    # that is over; the bread line is not reduced now: no prior price for it.
    live = timezone.now() - timedelta(days=1)
    apply_config(1, WATER_20, prior_prices=(
        PriorPriceData("100001", "water-20", live, None, Decimal("0.69")),
        PriorPriceData("200036", "price", live - timedelta(days=9), live, Decimal("2.29")),
    ))  # fmt: skip
    lane = LaneClient(lane_token)
    basket_id = lane.new_basket()
    lane.post(f"/baskets/{basket_id}/items", {"code": WATER})
    status, basket = lane.post(f"/baskets/{basket_id}/items", {"code": BREAD})
    assert status == 200, basket
    water, bread = basket["lines"]
    assert (water["amount"], water["prior_price"]) == ("0.63", "0.69")
    assert bread["prior_price"] is None
    # The receipt says it under the reduced line.
    lane.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "5.00"})
    status, sale = lane.post(f"/baskets/{basket_id}/complete")
    assert status == 201, sale
    page = signed_in(Client(), lane_token).get(f"/pos/receipts/{sale['id']}")
    receipt = page.content.decode()
    assert receipt.count("Lowest 30-day price") == 1 and "Lowest 30-day price 0.69" in receipt
    # The sale keeps it: its ledger document says it, and a reprint after HQ's next
    # version (whose reductions are others) says what the sale said.
    from store_edge.ledger.models import LedgerEntry

    entry = LedgerEntry.objects.get(kind="sale_completed", document_id=sale["id"])
    assert [line.get("prior_price") for line in entry.payload["lines"]] == ["0.69", None]
    apply_config(2, WATER_20)
    page = signed_in(Client(), lane_token).get(f"/pos/receipts/{sale['id']}?reprint=1")
    assert "Lowest 30-day price 0.69" in page.content.decode()


def test_prior_prices_of_the_version_in_force_arrive_without_a_new_version(
    lane_token: str,
) -> None:
    """A store upgraded to protocol 2 pulls the version it holds, now with its prior
    prices: they are taken at once, not at HQ's next publish."""
    from store_edge.catalog.models import ConfigState
    from store_edge.catalog.services import store_profile_apply

    apply_config(1, WATER_20)
    lane = LaneClient(lane_token)
    basket_id = lane.new_basket()
    _, basket = lane.post(f"/baskets/{basket_id}/items", {"code": WATER})
    assert basket["lines"][0]["prior_price"] is None
    stamp = ConfigState.objects.get().applied_at
    live = timezone.now() - timedelta(days=1)
    same = ConfigSnapshot(version=1, published_at=datetime(2026, 11, 1, tzinfo=UTC),
                          store_name="Test store", currency="EUR", tax_classes=(),
                          prior_prices=(PriorPriceData("100001", "water-20", live, None,
                                                       Decimal("0.69")),))  # fmt: skip
    assert store_profile_apply(snapshot=same) is True
    assert ConfigState.objects.get().applied_at != stamp  # the caches of v1 are keyed anew
    assert store_profile_apply(snapshot=same) is False  # nothing new the second time
    _, basket = lane.post(f"/baskets/{basket_id}/items", {"code": WATER})
    assert [line["prior_price"] for line in basket["lines"]] == ["0.69", "0.69"]


def test_a_local_window_is_held_as_the_instant_it_ends_by_the_stores_clock(db: None) -> None:
    """A chain-wide promotion to each store's midnight (no offset): the store keeps when it
    ends as its own midnight, not a time without a zone."""
    from store_edge.catalog.models import Promotion as PromotionRow

    local = {**WATER_20, "starts": "2026-12-24T00:00:00", "ends": "2026-12-27T00:00:00"}
    apply_config(1, local, time_zone="America/New_York")
    row = PromotionRow.objects.get(code="water-20")
    assert row.ends == datetime(2026, 12, 27, 5, tzinfo=UTC)  # midnight in New York


def test_a_line_not_at_the_books_reduced_price_shows_no_prior_price(
    lane_token: str, supervisor: str
) -> None:
    """Bread's price book reduction is in force with its prior price; a bread line whose
    price a supervisor overrode is not at the reduced price: no prior price beside it."""
    live = timezone.now() - timedelta(days=1)
    book = PriceData(Decimal("1.99"), "chain", starts=live, ends=live + timedelta(days=7))
    apply_config(1, prices={"200036": (book,)}, prior_prices=(
        PriorPriceData("200036", "price", live, live + timedelta(days=7), Decimal("2.29")),
    ))  # fmt: skip
    lane = LaneClient(lane_token)
    basket_id = lane.new_basket()
    _, basket = lane.post(f"/baskets/{basket_id}/items", {"code": BREAD})
    assert (basket["lines"][0]["unit_price"], basket["lines"][0]["prior_price"]) == (
        "1.99", "2.29")  # fmt: skip
    line_id = basket["lines"][0]["id"]
    change = {"price": "1.00", "reason": "damaged packaging", "supervisor": "77", "pin": "4321"}
    status, basket = lane.post(f"/baskets/{basket_id}/items/{line_id}/change", change)
    assert status == 200, basket
    assert basket["lines"][0]["prior_price"] is None
