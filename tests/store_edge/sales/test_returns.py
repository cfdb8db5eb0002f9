"""Returns with and without the receipt: refunded as paid, stock put back."""

import uuid

import pytest

from store_edge.ledger.models import LedgerEntry
from store_edge.sales.models import Sale
from store_edge.staff.services import (
    PinGivenAt,
)
from tests.store_edge.conftest import BREAD, WATER, LaneClient, sold_with_card_and_cash

AT = PinGivenAt(lane_id=None, address="192.0.2.7")


def test_a_return_with_the_receipt_refunds_the_card_first_and_puts_stock_back(
    lane_api: LaneClient,
) -> None:
    sale = sold_with_card_and_cash(lane_api)
    status, found = lane_api.get(f"/returns/sales/{sale['number']}")
    assert status == 200
    line = found["lines"][0]
    assert (line["returnable"], found["tenders"]) == ("3.000", {"card": "5.00", "cash": "10.00"})
    back = {"sale_number": sale["number"], "lines": [{"line_id": line["id"], "quantity": "2"}],
            "terminal_reference": "R-9", "card_last4": "4242"}  # fmt: skip
    status, refund = lane_api.post("/returns", back)
    assert status == 201, refund
    assert refund["total"] == "-4.98"
    assert [(t["method"], t["amount"]) for t in refund["tenders"]] == [("card", "-4.98")]
    assert lane_api.get("/stock/200036")[1]["on_hand"] == "-1.000"
    document = LedgerEntry.objects.get(kind="return_completed").payload
    assert (document["returns"], document["lines"][0]["returns_line"]) == (
        sale["number"], line["id"])  # fmt: skip
    # The last bread: 0.02 is left on the card, the rest goes back in cash.
    last = {**back, "lines": [{"line_id": line["id"], "quantity": "1"}]}
    status, refund = lane_api.post("/returns", last)
    assert status == 201, refund
    assert [(t["method"], t["amount"]) for t in refund["tenders"]] == [
        ("card", "-0.02"), ("cash", "-2.47")]  # fmt: skip
    assert lane_api.get(f"/returns/sales/{sale['number']}")[1]["lines"][0]["returnable"] == "0.000"
    status, answer = lane_api.post("/returns", last)
    assert (status, "between 0 and 0" in answer["detail"]) == (422, True)
    assert Sale.objects.filter(returns_sale__isnull=False).count() == 2


def test_a_card_refund_needs_the_terminals_reference(lane_api: LaneClient) -> None:
    sale = sold_with_card_and_cash(lane_api)
    line = lane_api.get(f"/returns/sales/{sale['number']}")[1]["lines"][0]
    one = [{"line_id": line["id"], "quantity": "1"}]
    status, answer = lane_api.post("/returns", {"sale_number": sale["number"], "lines": one})
    assert (status, "refund it on the terminal" in answer["detail"]) == (422, True)
    assert not Sale.objects.filter(returns_sale__isnull=False).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"sale_number": "01-0000001; --", "lines": [{"line_id": str(uuid.uuid4()), "quantity": 1}]},
        {"sale_number": "01-0000001", "lines": []},
        {"sale_number": "01-0000001", "lines": [{"line_id": "x", "quantity": 1}]},
        {"sale_number": "01-0000001",
         "lines": [{"line_id": str(uuid.uuid4()), "quantity": "lots"}]},
        {"sale_number": "01-0000001", "lines": [{"line_id": str(uuid.uuid4()), "quantity": -1}]},
        {"sale_number": "01-0000001",
         "lines": [{"line_id": str(uuid.uuid4()), "quantity": 1}] * 201},
    ],
)  # fmt: skip
def test_malformed_returns_are_refused_and_change_nothing(lane_api: LaneClient, body: dict) -> None:
    lane_api.ring([{"code": WATER}])
    status, _ = lane_api.post("/returns", body)
    assert status == 422
    assert Sale.objects.count() == 1


def test_returns_of_unknown_sales_or_lines_are_refused(lane_api: LaneClient) -> None:
    sale = lane_api.ring([{"code": WATER}])
    assert lane_api.get("/returns/sales/99-9999999")[0] == 404
    unknown = [{"line_id": str(uuid.uuid4()), "quantity": 1}]
    status, answer = lane_api.post("/returns", {"sale_number": sale["number"], "lines": unknown})
    assert (status, "is not on sale" in answer["detail"]) == (422, True)
    line = lane_api.get(f"/returns/sales/{sale['number']}")[1]["lines"][0]
    twice = {"sale_number": sale["number"], "lines": [{"line_id": line["id"], "quantity": 1}] * 2}
    assert lane_api.post("/returns", twice)[0] == 422
    refund = {"sale_number": sale["number"], "lines": [{"line_id": line["id"], "quantity": 1}]}
    status, returned = lane_api.post("/returns", refund)
    assert status == 201
    assert lane_api.get(f"/returns/sales/{returned['number']}")[0] == 404  # a return is not sold


def test_a_return_without_receipt_needs_a_supervisor_and_pays_cash_at_todays_price(
    lane_api: LaneClient, staff: None
) -> None:
    refused = {"code": BREAD, "quantity": 1, "supervisor": "12", "pin": "1234"}
    status, answer = lane_api.post("/returns/without-receipt", refused)
    assert (status, answer["detail"]) == (403, "Cat Cashier is not a supervisor")
    approved = {**refused, "supervisor": "77", "pin": "4321"}
    status, refund = lane_api.post("/returns/without-receipt", approved)
    assert status == 201, refund
    assert (refund["total"], refund["tenders"][0]["method"]) == ("-2.49", "cash")
    assert LedgerEntry.objects.get(kind="return_completed").payload["approved_by"] == "77"
    assert (
        lane_api.post("/returns/without-receipt", {**approved, "code": "5901234123457"})[0] == 404
    )
    assert lane_api.post("/returns/without-receipt", {**approved, "quantity": "1.5"})[0] == 422
