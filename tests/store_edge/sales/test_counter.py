"""At the counter: signing in with a PIN (and its lock-out), returns with and without the
receipt, shifts with their cash drawer and reports, payments sent twice, and what the lane's
devices report to the page."""

import time
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from devices.scales import Reading, ScaleStatus
from store_edge.ledger.models import LedgerEntry
from store_edge.sales import peripherals
from store_edge.sales.models import BasketPayment, Sale, Shift, StaffMember
from store_edge.sales.staff import (
    MAX_FAILED_PINS,
    ApprovalRefused,
    PinGivenAt,
    SignInRefused,
    cashier_sign_in,
    staff_unlock,
    supervisor_approval,
)
from tests.store_edge.conftest import BANANAS, BREAD, WATER, LaneClient

AT = PinGivenAt(lane_id=None, address="192.0.2.7")


# Signing in -----------------------------------------------------------------------------


def test_a_cashier_signs_in_with_code_and_pin(staff: None) -> None:
    assert cashier_sign_in(code="12", pin="1234", where=AT).name == "Cat Cashier"
    assert StaffMember.objects.get(code="12").pin_hash.startswith("pin_pbkdf2_sha256$")


def test_five_wrong_pins_lock_the_code_even_for_the_right_pin(staff: None) -> None:
    messages = []
    for _ in range(MAX_FAILED_PINS):
        with pytest.raises(SignInRefused) as refused:
            cashier_sign_in(code="12", pin="0000", where=AT)
        messages.append(str(refused.value))
    assert "4 tries left" in messages[0]
    assert "1 try left" in messages[3]
    assert "now locked" in messages[4]
    with pytest.raises(SignInRefused, match="locked"):
        cashier_sign_in(code="12", pin="1234", where=AT)
    member = StaffMember.objects.get(code="12")
    assert member.locked_until is not None and member.locked_until > timezone.now()
    staff_unlock(member=member)
    assert cashier_sign_in(code="12", pin="1234", where=AT).code == "12"


def test_a_right_pin_clears_the_wrong_ones_before_it(staff: None) -> None:
    for _ in range(MAX_FAILED_PINS - 1):
        with pytest.raises(SignInRefused):
            cashier_sign_in(code="12", pin="9999", where=AT)
    cashier_sign_in(code="12", pin="1234", where=AT)
    assert StaffMember.objects.get(code="12").failed_pins == 0
    with pytest.raises(SignInRefused, match="4 tries left"):
        cashier_sign_in(code="12", pin="9999", where=AT)


@pytest.mark.parametrize("code", ["nobody", "", "1" * 200, "12'; DROP TABLE x; --", "１２"])
def test_an_unknown_or_hostile_code_is_refused_alike(staff: None, code: str) -> None:
    with pytest.raises(SignInRefused, match="^Staff code or PIN is wrong$"):
        cashier_sign_in(code=code, pin="1234", where=AT)


def test_a_supervisors_wrong_pins_count_too_and_a_cashier_cannot_approve(staff: None) -> None:
    with pytest.raises(ApprovalRefused, match="not a supervisor"):
        supervisor_approval(code="12", pin="1234", where=AT)
    for _ in range(MAX_FAILED_PINS):
        with pytest.raises(ApprovalRefused):
            supervisor_approval(code="77", pin="1111", where=AT)
    with pytest.raises(ApprovalRefused, match="locked"):
        supervisor_approval(code="77", pin="4321", where=AT)


# Payments and quantities ----------------------------------------------------------------


def test_a_payment_sent_twice_with_its_id_counts_once(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD})
    payment = {"method": "cash", "amount": "1.00", "id": str(uuid.uuid4())}
    first = lane_api.post(f"/baskets/{basket_id}/payments", payment)
    again = lane_api.post(f"/baskets/{basket_id}/payments", payment)
    assert first == again
    assert again[1]["amount_paid"] == "1.00"
    assert BasketPayment.objects.count() == 1
    changed = {**payment, "amount": "2.00"}
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments", changed)
    assert (status, "something else" in answer["detail"]) == (422, True)


def test_no_payment_is_taken_once_nothing_is_due(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    assert lane_api.post(f"/baskets/{basket_id}/payments",
                         {"method": "cash", "amount": "5.00"})[0] == 200  # fmt: skip
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments",
                                   {"method": "cash", "amount": "5.00"})  # fmt: skip
    assert (status, answer["detail"]) == (409, "nothing is due: complete the sale")
    assert BasketPayment.objects.count() == 1


def test_a_lines_quantity_changes_and_bad_quantities_are_refused(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    _, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    line_id = basket["lines"][0]["id"]
    status, basket = lane_api.post(f"/baskets/{basket_id}/items/{line_id}/quantity",
                                   {"quantity": 4})  # fmt: skip
    assert (status, basket["lines"][0]["quantity"], basket["total"]) == (200, "4.000", "3.16")
    for bad in ({"quantity": 0}, {"quantity": "three"}, {"quantity": 10**6}, {}):
        status, _ = lane_api.post(f"/baskets/{basket_id}/items/{line_id}/quantity", bad)
        assert status == 422
    status, _ = lane_api.post(f"/baskets/{basket_id}/items/{uuid.uuid4()}/quantity",
                              {"quantity": 2})  # fmt: skip
    assert status == 404
    _, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": BANANAS, "weight_kg": "1"})
    bananas = basket["lines"][1]["id"]
    status, answer = lane_api.post(f"/baskets/{basket_id}/items/{bananas}/quantity",
                                   {"quantity": 2})  # fmt: skip
    assert (status, "weighed" in answer["detail"]) == (422, True)


# Returns --------------------------------------------------------------------------------


def sold_with_card_and_cash(lane_api: LaneClient) -> dict:
    """3 breads (7.47): 5.00 on the card, the rest in cash."""
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD, "quantity": 3})
    lane_api.post(f"/baskets/{basket_id}/payments", {"method": "card", "amount": "5.00",
                  "terminal_reference": "T-1", "card_last4": "4242"})  # fmt: skip
    lane_api.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "10.00"})
    status, sale = lane_api.post(f"/baskets/{basket_id}/complete")
    assert status == 201, sale
    return sale


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


# Shifts ---------------------------------------------------------------------------------


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


# The lane's devices ----------------------------------------------------------------------


def test_the_page_reads_the_lanes_scans_and_scale_reading(lane_api: LaneClient,
                                                          relay: None) -> None:  # fmt: skip
    status, quiet = lane_api.get("/lane/peripherals")
    assert (status, quiet["scans"], quiet["scale"], quiet["gateway"]) == (200, [], None, True)
    peripherals.publish_scan(1, WATER)
    peripherals.publish_reading(1, Reading(Decimal("0.512"), "kg", True, ScaleStatus.OK, 1.0))
    _, seen = lane_api.get("/lane/peripherals?since=0")
    assert [s["code"] for s in seen["scans"]] == [WATER]
    assert (seen["scale"]["weight"], seen["scale"]["stable"]) == ("0.512", True)
    _, later = lane_api.get(f"/lane/peripherals?since={seen['scans'][0]['at']}")
    assert later["scans"] == []
    assert lane_api.get("/lane/peripherals?since=yesterday")[0] == 422


def test_the_page_is_told_when_the_device_relay_is_away(lane_api: LaneClient, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    peripherals.forget_clients()
    try:
        started = time.monotonic()
        status, answer = lane_api.get("/lane/peripherals")
        assert (status, answer["gateway"], answer["scans"]) == (200, False, [])
        assert time.monotonic() - started < 2
    finally:
        peripherals.forget_clients()
    assert Decimal(answer["now"]) > 0
