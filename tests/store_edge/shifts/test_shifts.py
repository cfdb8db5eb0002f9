"""Shifts with their cash drawer: float, paid in and out, X and Z reports."""

import pytest

from store_edge.ledger.models import LedgerEntry
from store_edge.shifts.models import Shift
from tests.store_edge.conftest import BREAD, LaneClient, sold_with_card_and_cash


def test_a_shift_from_float_to_z_report(lane_api: LaneClient) -> None:
    assert lane_api.get("/shifts/current")[0] == 404
    assert lane_api.post("/shifts", {"opening_float": "100.00"})[0] == 422  # who opens it?
    status, opened = lane_api.post("/shifts", {"opening_float": "100.00", "cashier": "12"})
    assert (status, opened["expected_cash"]) == (201, "100.00")
    assert lane_api.post("/shifts", {"opening_float": "50.00", "cashier": "12"})[0] == 409
    lane_api.ring([{"code": BREAD, "quantity": 2}], pay="10.00")  # 4.98, change 5.02
    sale = sold_with_card_and_cash(lane_api)  # 7.47: 5.00 card, 2.47 cash
    line = lane_api.get(f"/returns/sales/{sale['number']}")[1]["lines"][0]
    one = [{"line_id": line["id"], "quantity": 1}]
    lane_api.post("/returns", {"sale_number": sale["number"], "terminal_reference": "R1",
                               "card_last4": "4242", "lines": one})  # fmt: skip
    lane_api.post("/shifts/current/cash", {"kind": "paid_out", "amount": "12.50",
                                           "reason": "window cleaner"})  # fmt: skip
    lane_api.post("/shifts/current/cash", {"kind": "paid_in", "amount": "20.00",
                                           "reason": "change from the safe"})  # fmt: skip
    status, x = lane_api.get("/shifts/current")
    assert status == 200
    assert (x["sales"], x["returns"], x["sales_total"], x["returns_total"]) == (
        2, 1, "12.45", "-2.49")  # fmt: skip
    assert x["tenders"] == {"cash": "20.00", "card": "2.51"}
    # 100 float + 4.98 + 2.47 cash sales + 20 in - 12.50 out = 114.95
    assert (x["expected_cash"], x["counted_cash"]) == ("114.95", None)
    status, z = lane_api.post("/shifts/current/close", {"counted_cash": "114.00"})
    assert (status, z["variance"]) == (200, "-0.95")
    assert lane_api.get("/shifts/current")[0] == 404
    report = LedgerEntry.objects.get(kind="shift_closed").payload
    assert (report["expected_cash"], report["counted_cash"], report["variance"]) == (
        "114.95", "114.00", "-0.95")  # fmt: skip
    assert Shift.objects.get().closed_at is not None


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/shifts", {"opening_float": "-1", "cashier": "12"}),
        ("/shifts", {"opening_float": "ten", "cashier": "12"}),
        ("/shifts", {"opening_float": "1.001", "cashier": "12"}),
        ("/shifts", {"opening_float": "1", "cashier": "x" * 17}),
        ("/shifts/current/cash", {"kind": "paid_out", "amount": "0", "reason": "nothing"}),
        ("/shifts/current/cash", {"kind": "stolen", "amount": "5", "reason": "nothing"}),
        ("/shifts/current/cash", {"kind": "paid_in", "amount": "5", "reason": ""}),
        ("/shifts/current/cash", {"kind": "paid_in", "amount": "5", "reason": "x" * 201}),
        ("/shifts/current/close", {"counted_cash": "abc"}),
        ("/shifts/current/close", {"counted_cash": "-5"}),
    ],
)
def test_bad_shift_input_is_refused_and_changes_nothing(
    lane_api: LaneClient, path: str, body: dict
) -> None:
    if path != "/shifts":
        lane_api.post("/shifts", {"opening_float": "50.00", "cashier": "12"})
    before = lane_api.get("/shifts/current")
    status, _ = lane_api.post(path, body)
    assert status == 422
    assert lane_api.get("/shifts/current") == before
    assert not LedgerEntry.objects.filter(kind="shift_closed").exists()


def test_cash_movements_and_closing_need_an_open_shift(lane_api: LaneClient) -> None:
    status, answer = lane_api.post("/shifts/current/cash", {"kind": "paid_in", "amount": "5",
                                                            "reason": "float top-up"})  # fmt: skip
    assert (status, "no shift is open" in answer["detail"]) == (409, True)
    assert lane_api.post("/shifts/current/close", {"counted_cash": "5"})[0] == 409
