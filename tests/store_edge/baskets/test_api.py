"""The lane API, as a lane client uses it: ring, pay, complete, and every way to get it wrong."""

from decimal import Decimal

import pytest

from store_edge.baskets.models import Basket, BasketLine, BasketPayment
from store_edge.lanes.tokens import lane_token_issue, lane_token_revoke
from store_edge.ledger.models import EntryKind, LedgerEntry
from store_edge.sales.models import Sale
from tests.store_edge.conftest import BANANAS, BREAD, WATER, LaneClient


def counts() -> tuple[int, int, int, int]:
    return (
        Sale.objects.count(),
        LedgerEntry.objects.count(),
        BasketLine.objects.count(),
        BasketPayment.objects.count(),
    )


def test_a_sale_is_rung_paid_and_completed_with_its_ledger_entries(lane_api: LaneClient) -> None:
    # Given an open basket with two breads, a water and 0.512 kg of bananas
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD, "quantity": 2})
    lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    status, basket = lane_api.post(
        f"/baskets/{basket_id}/items", {"code": BANANAS, "weight_kg": "0.512"}
    )
    assert status == 200
    assert [line["amount"] for line in basket["lines"]] == ["4.98", "0.79", "1.02"]
    assert basket["total"] == "6.79"
    # VAT is computed per class on the receipt: RED 6.00 → 0.39, STD 0.79 → 0.13
    assert basket["tax_total"] == "0.52"
    # When the cashier takes 10.00 cash and completes
    lane_api.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "10.00"})
    status, sale = lane_api.post(f"/baskets/{basket_id}/complete")
    # Then the sale is on disk with its change, lines, tender and taxes
    assert status == 201
    assert (sale["total"], sale["change"], sale["number"]) == ("6.79", "3.21", "01-0000001")
    status, detail = lane_api.get(f"/sales/{sale['id']}")
    assert status == 200
    assert [line["sku"] for line in detail["lines"]] == ["200036", "100001", "4011"]
    assert [(t["method"], t["amount"]) for t in detail["tenders"]] == [("cash", "10.00")]
    assert {t["tax_class"]: t["tax"] for t in detail["taxes"]} == {"RED": "0.39", "STD": "0.13"}
    # And the ledger holds the sale document then one stock movement per line, seq 1..4
    entries = list(LedgerEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert [e.kind for e in entries] == [EntryKind.SALE_COMPLETED] + [EntryKind.SALE] * 3
    assert [e.quantity for e in entries[1:]] == [
        Decimal("-2.000"),
        Decimal("-1.000"),
        Decimal("-0.512"),
    ]
    assert entries[0].payload["total"] == "6.79"
    assert entries[0].payload["lines"][2]["weight_kg"] == "0.512"
    assert {e.document_id for e in entries} == {Sale.objects.get().id}


def test_completing_twice_makes_one_sale(lane_api: LaneClient) -> None:
    # Given a paid basket
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    lane_api.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "1.00"})
    # When "Pay" is clicked twice
    first_status, first = lane_api.post(f"/baskets/{basket_id}/complete")
    second_status, second = lane_api.post(f"/baskets/{basket_id}/complete")
    # Then there is one sale, and the second answer is that same sale
    assert (first_status, second_status) == (201, 200)
    assert first["id"] == second["id"]
    assert Sale.objects.count() == 1
    assert LedgerEntry.objects.count() == 2


def test_an_unpaid_basket_is_not_completed_and_nothing_is_written(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD})
    lane_api.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "2.00"})
    status, answer = lane_api.post(f"/baskets/{basket_id}/complete")
    assert status == 409
    assert "0.49 still due" in answer["detail"]
    assert (Sale.objects.count(), LedgerEntry.objects.count()) == (0, 0)
    assert Basket.objects.get().status == "open"


def test_an_empty_basket_cannot_be_completed(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    status, answer = lane_api.post(f"/baskets/{basket_id}/complete")
    assert status == 409
    assert "empty" in answer["detail"]


def test_a_removed_line_is_not_sold(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    _, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD})
    _, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    status, basket = lane_api.delete(f"/baskets/{basket_id}/items/{basket['lines'][0]['id']}")
    assert status == 200
    assert [line["sku"] for line in basket["lines"]] == ["100001"]
    assert basket["total"] == "0.79"


def test_a_completed_basket_takes_no_more_items(lane_api: LaneClient) -> None:
    sale = lane_api.ring([{"code": WATER}])
    basket_id = Basket.objects.get(sale_id=sale["id"]).id
    before = counts()
    status, answer = lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    assert status == 409
    assert "completed" in answer["detail"]
    assert counts() == before


def test_upc_a_form_of_a_barcode_finds_the_same_product(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    status, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": "036000291452"})
    assert status == 200
    assert basket["lines"][0]["sku"] == "200036"


@pytest.mark.parametrize(
    ("item", "status", "message"),
    [
        ({"code": "4006381333932"}, 422, "wrong check digit"),
        ({"code": "5901234123457"}, 404, "No product with code 5901234123457"),
        ({"code": "9999"}, 404, "No product with code 9999"),
        ({"code": "ABC-123"}, 422, "only digits"),
        ({"code": "12345678901"}, 422, "not a GTIN"),
        ({"code": "'; DROP TABLE sales_sale; --"}, 422, "only digits"),
        ({"code": WATER, "weight_kg": "0.500"}, 422, "sold by the piece"),
        ({"code": BANANAS}, 422, "weigh it first"),
        ({"code": BANANAS, "weight_kg": "0.0001"}, 422, ""),
        ({"code": BANANAS, "quantity": 3, "weight_kg": "1.000"}, 422, "sold by weight"),
        ({"code": WATER, "quantity": 0}, 422, ""),
        ({"code": WATER, "quantity": 10000}, 422, ""),
        ({"code": WATER, "quantity": "many"}, 422, ""),
        ({"code": ""}, 422, ""),
        ({"code": "4" * 65}, 422, ""),
        ({}, 422, ""),
        ({"code": WATER, "price": "0.01"}, 200, ""),
    ],
)
def test_bad_items_are_refused_with_a_message_and_change_nothing(
    lane_api: LaneClient, item: dict, status: int, message: str
) -> None:
    basket_id = lane_api.new_basket()
    before = counts()
    answer_status, answer = lane_api.post(f"/baskets/{basket_id}/items", item)
    assert answer_status == status, answer
    if status == 200:
        # Unknown keys are ignored by the lane API; a client cannot set the price
        assert answer["lines"][0]["unit_price"] == "0.79"
        return
    assert counts() == before
    assert message in str(answer["detail"])


@pytest.mark.parametrize(
    "payment",
    [
        {"method": "cash", "amount": "ten"},
        {"method": "cash", "amount": "-5.00"},
        {"method": "cash", "amount": "0"},
        {"method": "cash", "amount": "1.005"},
        {"method": "cash", "amount": "99999999.00"},
        {"method": "bitcoin", "amount": "1.00"},
        {"method": "cash"},
        {"amount": "1.00"},
    ],
)
def test_bad_payments_are_refused_and_change_nothing(lane_api: LaneClient, payment: dict) -> None:
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    before = counts()
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments", payment)
    assert status == 422, answer
    assert answer["detail"]
    assert counts() == before


def test_malformed_json_is_refused(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    response = lane_api.client.post(
        f"/api/v1/baskets/{basket_id}/items", "{not json", content_type="application/json"
    )
    assert 400 <= response.status_code < 500
    assert BasketLine.objects.count() == 0


def test_an_oversized_body_is_refused(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    response = lane_api.client.post(
        f"/api/v1/baskets/{basket_id}/items",
        '{"code": "' + "4" * 300_000 + '"}',
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
    assert BasketLine.objects.count() == 0


def test_a_basket_of_another_lane_is_not_found(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    _, other_token = lane_token_issue(lane_number=2)
    other = LaneClient(other_token)
    status, answer = other.post(f"/baskets/{basket_id}/items", {"code": WATER})
    assert status == 404
    assert BasketLine.objects.count() == 0


def test_requests_without_a_live_token_are_refused(lane_api: LaneClient, lane_token: str) -> None:
    assert LaneClient("lane_not-a-token").post("/baskets")[0] == 401
    assert LaneClient("").post("/baskets")[0] == 401
    lane_token_revoke(lane_number=1)
    assert LaneClient(lane_token).post("/baskets")[0] == 401
    assert Basket.objects.count() == 0


def test_products_are_found_by_code_and_by_name(lane_api: LaneClient) -> None:
    status, by_code = lane_api.get(f"/products?q={WATER}")
    assert status == 200
    assert by_code[0]["sku"] == "100001"
    assert by_code[0]["barcodes"] == [WATER]
    _, by_name = lane_api.get("/products?q=banan")
    assert [(p["sku"], p["unit"], p["plu"]) for p in by_name] == [("4011", "kg", "4011")]
    assert lane_api.get("/products?limit=1000")[0] == 422


def test_stock_on_hand_follows_the_sales(lane_api: LaneClient) -> None:
    lane_api.ring([{"code": BREAD, "quantity": 3}])
    status, stock = lane_api.get("/stock/200036")
    assert status == 200
    assert stock["on_hand"] == "-3.000"
    assert stock["last_movement"]["kind"] == "sale"


def test_sync_status_reads_only_local_state(lane_api: LaneClient) -> None:
    lane_api.ring([{"code": WATER}])
    status, sync = lane_api.get("/sync/status")
    assert status == 200
    assert sync["pending_entries"] == 2
    assert sync["config_version"] == 1
    assert sync["hq_reachable"] is False
    assert sync["last_push_at"] is None


def test_the_openapi_schema_is_served(lane_api: LaneClient) -> None:
    response = lane_api.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/baskets/{basket_id}/items" in response.json()["paths"]


def test_every_basket_answer_matches_the_documented_schema(lane_api: LaneClient) -> None:
    from store_edge.baskets.api import BasketOut

    answers = []
    basket_id = lane_api.new_basket()
    answers.append(lane_api.get(f"/baskets/{basket_id}")[1])
    answers.append(lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD})[1])
    answers.append(
        lane_api.post(f"/baskets/{basket_id}/items", {"code": BANANAS, "weight_kg": "1.250"})[1]
    )
    answers.append(
        lane_api.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "9.99"})[1]
    )
    answers.append(
        lane_api.delete(f"/baskets/{basket_id}/items/{answers[-1]['lines'][0]['id']}")[1]
    )
    for answer in answers:
        parsed = BasketOut.model_validate(answer)
        assert str(parsed.id) == basket_id
    assert answers[2]["lines"][1]["weight_kg"] == "1.250"
    assert answers[-1]["amount_due"] == "0.00"


def test_a_card_payment_records_the_terminal_reference_and_last_four_digits(
    lane_api: LaneClient,
) -> None:
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD, "quantity": 2})
    card = {
        "method": "card",
        "amount": "4.98",
        "terminal_reference": "T-8842",
        "card_last4": "4242",
    }
    assert lane_api.post(f"/baskets/{basket_id}/payments", card)[0] == 200
    status, sale = lane_api.post(f"/baskets/{basket_id}/complete")
    assert status == 201
    tender = lane_api.get(f"/sales/{sale['id']}")[1]["tenders"][0]
    assert (tender["method"], tender["amount"]) == ("card", "4.98")
    document = LedgerEntry.objects.get(kind="sale_completed").payload
    assert document["tenders"][0]["card_last4"] == "4242"


@pytest.mark.parametrize(
    ("payment", "message"),
    [
        ({"method": "card", "amount": "1.00", "terminal_reference": "4111111111111111",
          "card_last4": "1111"}, "reference"),
        ({"method": "card", "amount": "1.00", "terminal_reference": "T1", "card_last4": "41111"},
         "last four digits"),
        ({"method": "card", "amount": "1.00", "terminal_reference": "", "card_last4": "1111"},
         "reference"),
        ({"method": "card", "amount": "9.00", "terminal_reference": "T1", "card_last4": "1111"},
         "at most what is due"),
        ({"method": "cash", "amount": "1.00", "card_last4": "1111"}, "for card payments"),
    ],
)  # fmt: skip
def test_a_card_number_or_a_bad_card_payment_is_refused(
    lane_api: LaneClient, payment: dict, message: str
) -> None:
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD, "quantity": 2})
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments", payment)
    assert status == 422, answer
    assert message in str(answer["detail"])
    assert BasketPayment.objects.count() == 0


def test_a_suspended_basket_is_resumed_on_another_lane(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    assert lane_api.post(f"/baskets/{basket_id}/suspend")[0] == 200
    assert lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})[0] == 409
    _, other_token = lane_token_issue(lane_number=2)
    other = LaneClient(other_token)
    status, listed = other.get("/baskets?status=suspended")
    assert [b["id"] for b in listed] == [basket_id]
    status, basket = other.post(f"/baskets/{basket_id}/resume")
    assert (status, basket["status"], len(basket["lines"])) == (200, "open", 1)
    assert other.post(f"/baskets/{basket_id}/items", {"code": WATER})[0] == 200
