"""Card payments on the lane's terminal through the gateway's own worker (real Redis, the
simulated ZVT terminal over TCP): the till sends the basket's amount, the cashier types
nothing, the sale records what the terminal answered; a declined card records nothing; a
line dropped after charging is resolved before the lane takes another payment, and the
card is charged once."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from devices.terminals.simulator import ZvtSimulator
from devices.terminals.zvt import AUTHORISATION
from store_edge.baskets.models import BasketPayment
from store_edge.lanes.models import Lane
from store_edge.peripherals import terminal as peripherals_terminal
from store_edge.peripherals.models import TerminalPayment
from store_edge.peripherals.terminal import safe_lines
from store_edge.sales.models import Sale, SaleTender
from tests.store_edge.conftest import BREAD, LaneClient, _device_worker, _stopped, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def bread_basket(lane_api: LaneClient) -> tuple[str, dict]:
    basket_id = lane_api.new_basket()
    status, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD, "quantity": 2})
    assert status == 200, basket
    return basket_id, basket


def test_a_card_sale_is_paid_on_the_terminal_with_the_tills_amount(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    basket_id, basket = bread_basket(lane_api)
    status, paid = lane_api.post(f"/baskets/{basket_id}/payments",
                                 {"method": "card", "amount": basket["amount_due"]})  # fmt: skip
    assert status == 200, paid
    assert [c.amount for c in terminal.approved()] == [Decimal("4.98")]
    (payment,) = BasketPayment.objects.all()
    assert (payment.terminal_reference, payment.card_last4) == ("52500038-000001-0001", "0011")
    status, sale = lane_api.post(f"/baskets/{basket_id}/complete")
    assert status == 201, sale
    (tender,) = SaleTender.objects.all()
    assert (tender.method, tender.amount, tender.card_last4) == ("card", Decimal("4.98"), "0011")
    recorded = TerminalPayment.objects.get()
    assert recorded.customer_receipt[0] == "Customer copy" and recorded.applied


def test_a_declined_card_records_nothing_and_says_why(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    terminal.state.mode, terminal.state.decline_code = "decline", 0x51
    basket_id, basket = bread_basket(lane_api)
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments",
                                   {"method": "card", "amount": basket["amount_due"]})  # fmt: skip
    assert status == 402
    assert (answer["state"], answer["message"]) == ("declined", "insufficient funds")
    assert BasketPayment.objects.count() == 0
    assert lane_api.post(f"/baskets/{basket_id}/complete")[0] == 409


def test_a_slow_customer_is_followed_with_the_terminals_prompts(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    terminal.state.delay = 1.0
    basket_id, basket = bread_basket(lane_api)
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments",
                                   {"method": "card", "amount": "2.00"})  # fmt: skip
    if status == 202:  # the terminal had not answered yet: the page follows it
        assert answer["state"] in ("pending", "sent")
        wait_until(lambda: lane_api.get(f"/terminal-payments/{answer['id']}")[1]["state"]
                   == "approved")  # fmt: skip
    assert [p.amount for p in BasketPayment.objects.all()] == [Decimal("2.00")]


def test_a_line_dropped_after_charging_is_resolved_and_charged_once(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    terminal.state.mode = "drop_after_approve"
    basket_id, basket = bread_basket(lane_api)
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments",
                                   {"method": "card", "amount": basket["amount_due"]})  # fmt: skip
    assert status in (200, 202), answer
    terminal.state.mode = "approve"
    if status == 202:
        # Meanwhile the lane takes no other payment.
        busy = lane_api.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "5.00"})
        assert busy[0] == 409, busy  # checking the terminal, or the card has paid it all
        wait_until(lambda: lane_api.get(f"/terminal-payments/{answer['id']}")[1]["state"]
                   == "approved")  # fmt: skip
    assert len(terminal.approved()) == 1  # the card was charged once
    assert [p.amount for p in BasketPayment.objects.all()] == [Decimal("4.98")]
    assert [p.amount for p in BasketPayment.objects.all()] == [Decimal("4.98")]
    assert lane_api.post(f"/baskets/{basket_id}/complete")[0] == 201


def test_a_terminal_that_never_answers_is_checked_and_nothing_was_charged(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    terminal.state.mode = "timeout"
    basket_id, basket = bread_basket(lane_api)
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments",
                                   {"method": "card", "amount": basket["amount_due"]})  # fmt: skip
    assert status == 202
    terminal.state.mode = "approve"
    wait_until(lambda: lane_api.get(f"/terminal-payments/{answer['id']}")[1]["state"]
               == "declined")  # fmt: skip
    status, followed = lane_api.get(f"/terminal-payments/{answer['id']}")
    assert "nothing was charged" in followed["message"]
    assert terminal.approved() == [] and BasketPayment.objects.count() == 0


def test_a_terminal_away_is_declined_before_anything_is_charged(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    terminal.close()
    basket_id, basket = bread_basket(lane_api)
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments",
                                   {"method": "card", "amount": basket["amount_due"]})  # fmt: skip
    if status == 202:
        wait_until(lambda: lane_api.get(f"/terminal-payments/{answer['id']}")[1]["state"]
                   == "declined")  # fmt: skip
        answer = lane_api.get(f"/terminal-payments/{answer['id']}")[1]
    assert "cannot reach the terminal" in answer["message"]
    assert "nothing was charged" in answer["message"]


def test_an_unknown_outcome_a_supervisor_releases_stays_on_record(
    lane_api: LaneClient, terminal: ZvtSimulator, staff: None
) -> None:
    # Charged, the line dropped, and the terminal switched off before anyone could ask it.
    terminal.state.mode, terminal.state.gone_after_drop = "drop_after_approve", True
    basket_id, basket = bread_basket(lane_api)
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments",
                                   {"method": "card", "amount": "1.00"})  # fmt: skip
    wait_until(lambda: TerminalPayment.objects.get().state == TerminalPayment.State.UNKNOWN)
    busy = lane_api.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "5.00"})
    assert busy[0] == 409 and "checking the terminal" in busy[1]["detail"]
    refused = lane_api.post(f"/terminal-payments/{answer['id']}/release",
                            {"supervisor": "12", "pin": "1234"})  # fmt: skip
    assert refused[0] == 403
    released = lane_api.post(f"/terminal-payments/{answer['id']}/release",
                             {"supervisor": "77", "pin": "4321"})  # fmt: skip
    assert released[0] == 200 and released[1]["state"] == "unresolved"
    assert TerminalPayment.objects.get().released_by == "77"
    assert lane_api.post(f"/baskets/{basket_id}/payments",
                         {"method": "cash", "amount": "5.00"})[0] == 200  # fmt: skip


def test_card_details_are_not_typed_on_a_lane_with_a_terminal(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    basket_id, basket = bread_basket(lane_api)
    typed = {"method": "card", "amount": "4.98", "terminal_reference": "T-1", "card_last4": "4242"}
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments", typed)
    assert status == 422 and "terminal takes card payments" in answer["detail"]
    assert terminal.charges == []
    assert not any(apdu.command == AUTHORISATION for apdu in terminal.received)


def test_what_a_terminal_prints_never_keeps_a_card_number() -> None:
    lines = safe_lines(["Card 5413 3300 8902 0011", "Amount EUR 4.98", "\x1b[2Jwiped"])
    assert lines[0] == "Card **** **** **** ****" and lines[1] == "Amount EUR 4.98"
    assert "\x1b" not in lines[2]


def test_a_card_approved_unseen_is_counted_before_cash(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    # The lane lost the terminal's answer (the page was reloaded): the approved card is the
    # basket's tender before any cash is taken, so nothing is paid twice.
    basket_id, basket = bread_basket(lane_api)
    lane = Lane.objects.get()
    TerminalPayment.objects.create(lane=lane, basket_id=basket_id, amount=Decimal("4.98"),
                                   state=TerminalPayment.State.APPROVED, reference="T-9",
                                   card_last4="0011")  # fmt: skip
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments",
                                   {"method": "cash", "amount": "5.00"})  # fmt: skip
    assert status == 409, answer
    assert [(p.method, p.amount) for p in BasketPayment.objects.all()] == [
        ("card", Decimal("4.98"))
    ]


def test_a_payment_sent_again_asks_the_terminal_once(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    basket_id, basket = bread_basket(lane_api)
    body = {"method": "card", "amount": basket["amount_due"], "id": str(uuid.uuid4())}
    first = lane_api.post(f"/baskets/{basket_id}/payments", body)
    again = lane_api.post(f"/baskets/{basket_id}/payments", body)
    assert first[0] == 200 and again[0] == 200, (first, again)
    assert len(terminal.approved()) == 1
    assert [p.amount for p in BasketPayment.objects.all()] == [Decimal("4.98")]
    other = lane_api.post(f"/baskets/{basket_id}/payments", {**body, "amount": "1.00"})
    assert other[0] == 409 and "another card payment" in other[1]["detail"]


def test_the_lane_sees_the_card_payment_under_way(
    lane_api: LaneClient, terminal: ZvtSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("store_edge.peripherals.terminal.WAIT_SECONDS", 0.2)
    terminal.state.delay = 1.0  # within the terminal's 1.5 s for a payment
    basket_id, basket = bread_basket(lane_api)
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments",
                                   {"method": "card", "amount": basket["amount_due"]})  # fmt: skip
    assert status == 202, answer
    seen = lane_api.get("/lane/peripherals")[1]["card_payment"]
    assert seen is not None and (seen["id"], seen["basket_id"]) == (answer["id"], basket_id)
    assert seen["state"] in ("pending", "sent")
    wait_until(lambda: lane_api.get(f"/terminal-payments/{answer['id']}")[1]["state"]
               == "approved")  # fmt: skip
    assert lane_api.get("/lane/peripherals")[1]["card_payment"] is None


def test_a_card_sale_on_a_zvt_terminal_on_a_serial_line(
    lane_api: LaneClient, relay: None, lane: Lane, tmp_path: Path
) -> None:
    simulator = ZvtSimulator(serial_path=tmp_path / "zvt0")
    worker = _device_worker(lane, "terminal", "zvt", simulator.address)
    try:
        basket_id, basket = bread_basket(lane_api)
        card = {"method": "card", "amount": basket["amount_due"]}
        status, paid = lane_api.post(f"/baskets/{basket_id}/payments", card)
        assert status == 200, paid
        assert [c.amount for c in simulator.approved()] == [Decimal("4.98")]
        (payment,) = BasketPayment.objects.all()
        assert (payment.terminal_reference, payment.card_last4) == ("52500038-000001-0001", "0011")
        assert lane_api.post(f"/baskets/{basket_id}/complete")[0] == 201
    finally:
        _stopped(worker)
        simulator.close()


def card_sale(lane_api: LaneClient) -> dict:
    basket_id, basket = bread_basket(lane_api)
    status, _ = lane_api.post(f"/baskets/{basket_id}/payments",
                              {"method": "card", "amount": basket["amount_due"]})  # fmt: skip
    assert status == 200
    status, sale = lane_api.post(f"/baskets/{basket_id}/complete")
    assert status == 201, sale
    return lane_api.get(f"/sales/{sale['id']}")[1]


def test_a_return_is_refunded_to_the_card_on_the_terminal_for_the_tills_amount(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    sale = card_sale(lane_api)
    body = {"sale_number": sale["number"],
            "lines": [{"line_id": sale["lines"][0]["id"], "quantity": "1"}]}  # fmt: skip
    status, refund = lane_api.post("/returns", body)
    assert status == 201, refund
    assert [(c.amount, c.refund) for c in terminal.charges] == [
        (Decimal("4.98"), False), (Decimal("2.49"), True)]  # fmt: skip
    assert [(t["method"], t["amount"]) for t in refund["tenders"]] == [("card", "-2.49")]
    tender = SaleTender.objects.get(sale_id=refund["id"])
    assert (tender.terminal_reference, tender.card_last4) == ("52500038-000002-0002", "0011")
    recorded = TerminalPayment.objects.get(what="refund")
    assert recorded.applied and str(recorded.return_sale_id) == refund["id"]
    again = lane_api.post("/returns", {**body, "terminal_refund": str(recorded.id)})
    assert again == (200, {**again[1], "id": refund["id"]})  # the same return, recorded once
    assert len(terminal.charges) == 2


def test_a_refund_the_terminal_takes_time_over_is_followed_then_recorded_once(
    lane_api: LaneClient, terminal: ZvtSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    sale = card_sale(lane_api)
    monkeypatch.setattr(peripherals_terminal, "WAIT_SECONDS", 0.2)
    terminal.state.delay = 1.0  # longer than the lane waits
    body = {"sale_number": sale["number"],
            "lines": [{"line_id": sale["lines"][0]["id"], "quantity": "2"}]}  # fmt: skip
    status, refund = lane_api.post("/returns", body)
    assert status == 202 and refund["what"] == "refund" and refund["amount"] == "4.98"
    busy = lane_api.post("/returns", body)
    assert busy[0] == 409  # the terminal is busy with it: no second refund
    wait_until(lambda: lane_api.get(f"/terminal-payments/{refund['id']}")[1]["state"]
               == "approved")  # fmt: skip
    status, recorded = lane_api.post("/returns", {**body, "terminal_refund": refund["id"]})
    assert status == 201, recorded
    assert [t["amount"] for t in recorded["tenders"]] == ["-4.98"]
    assert lane_api.post("/returns", {**body, "terminal_refund": refund["id"]})[0] == 200
    assert Sale.objects.filter(returns_sale__number=sale["number"]).count() == 1
    assert [c.amount for c in terminal.charges if c.refund] == [Decimal("4.98")]


def test_a_terminal_refund_must_be_the_returns_card_part(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    sale = card_sale(lane_api)
    one = {"sale_number": sale["number"],
           "lines": [{"line_id": sale["lines"][0]["id"], "quantity": "1"}]}  # fmt: skip
    other = TerminalPayment.objects.create(lane=Lane.objects.get(number=1), what="refund",
                                           amount=Decimal("1.00"),
                                           state=TerminalPayment.State.APPROVED)  # fmt: skip
    status, answer = lane_api.post("/returns", {**one, "terminal_refund": str(other.id)})
    assert status == 409 and "the terminal refunded 1.00" in answer["detail"]
    missing = lane_api.post("/returns", {**one, "terminal_refund": str(uuid.uuid4())})
    assert missing[0] == 404
    assert not Sale.objects.filter(returns_sale__number=sale["number"]).exists()


def test_a_refund_with_the_terminal_away_records_no_return(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    sale = card_sale(lane_api)
    terminal.close()
    body = {"sale_number": sale["number"],
            "lines": [{"line_id": sale["lines"][0]["id"], "quantity": "1"}]}  # fmt: skip
    status, refund = lane_api.post("/returns", body)
    if status == 202:
        wait_until(lambda: lane_api.get(f"/terminal-payments/{refund['id']}")[1]["state"]
                   == "declined")  # fmt: skip
        status, refund = 402, lane_api.get(f"/terminal-payments/{refund['id']}")[1]
    assert status == 402 and "cannot reach the terminal" in refund["message"]
    assert not Sale.objects.filter(returns_sale__number=sale["number"]).exists()
