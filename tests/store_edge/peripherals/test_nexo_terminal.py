"""Card payments on a nexo terminal through the gateway's own worker (real Redis, the
simulated nexo terminal over real HTTP): the same lane API and the same guarantees as on
ZVT — the till's amount, the terminal's reference and masked card recorded, a connection
dropped after charging charged once, a terminal that never answers stopped and nothing
charged, its end of day on the Z report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from devices.terminals.nexo_simulator import NexoSimulator
from store_edge.baskets.models import BasketPayment
from store_edge.lanes.models import Lane
from store_edge.peripherals.models import TerminalPayment
from store_edge.sales.models import SaleTender
from tests.store_edge.conftest import BREAD, LaneClient, _device_worker, _stopped, wait_until
from tests.store_edge.shifts.test_drawer import open_shift

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def nexo(relay: None, lane: Lane) -> Iterator[NexoSimulator]:
    simulator = NexoSimulator()
    options = json.dumps({"poi_id": simulator.poi_id, "payment_seconds": 1.5})
    worker = _device_worker(lane, "terminal", "nexo", simulator.url, options)
    yield simulator
    _stopped(worker)
    simulator.close()


def pay_bread(lane_api: LaneClient) -> tuple[str, int, dict]:
    basket_id = lane_api.new_basket()
    _, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD, "quantity": 2})
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments",
                                   {"method": "card", "amount": basket["amount_due"]})  # fmt: skip
    return basket_id, status, answer


def settled(lane_api: LaneClient, payment_id: str, state: str) -> None:
    wait_until(lambda: lane_api.get(f"/terminal-payments/{payment_id}")[1]["state"] == state)


def test_a_card_sale_on_a_nexo_terminal(lane_api: LaneClient, nexo: NexoSimulator) -> None:
    basket_id, status, paid = pay_bread(lane_api)
    assert status == 200, paid
    assert [c.amount for c in nexo.approved()] == [Decimal("4.98")]
    (payment,) = BasketPayment.objects.all()
    transaction_id = nexo.approved()[0].transaction_id
    assert (payment.terminal_reference, payment.card_last4) == (transaction_id, "0011")
    assert lane_api.post(f"/baskets/{basket_id}/complete")[0] == 201
    (tender,) = SaleTender.objects.all()
    assert (tender.method, tender.amount, tender.card_last4) == ("card", Decimal("4.98"), "0011")
    recorded = TerminalPayment.objects.get()
    assert recorded.receipt_number == transaction_id and recorded.card_type == "mc"
    assert recorded.customer_receipt[0] == "Customer copy"
    assert "Card 541333 **** 0011" in recorded.customer_receipt  # masked as the terminal masks it


def test_dropped_after_charging_on_nexo_is_charged_once(
    lane_api: LaneClient, nexo: NexoSimulator
) -> None:
    nexo.state.mode = "drop_after_approve"
    basket_id, status, answer = pay_bread(lane_api)
    assert status in (200, 202), answer
    nexo.state.mode = "approve"
    if status == 202:
        settled(lane_api, answer["id"], "approved")
    assert len(nexo.approved()) == 1
    assert [p.amount for p in BasketPayment.objects.all()] == [Decimal("4.98")]
    assert lane_api.post(f"/baskets/{basket_id}/complete")[0] == 201


def test_a_nexo_terminal_that_never_answers_is_stopped_and_nothing_charged(
    lane_api: LaneClient, nexo: NexoSimulator
) -> None:
    nexo.state.mode = "timeout"
    _, status, answer = pay_bread(lane_api)
    assert status == 202
    settled(lane_api, answer["id"], "declined")
    assert "nothing was charged" in lane_api.get(f"/terminal-payments/{answer['id']}")[1]["message"]
    categories = [m["SaleToPOIRequest"]["MessageHeader"]["MessageCategory"] for m in nexo.received]
    assert "Abort" in categories and nexo.approved() == []
    assert BasketPayment.objects.count() == 0


def test_the_z_report_has_the_nexo_terminals_end_of_day(
    lane_api: LaneClient, nexo: NexoSimulator
) -> None:
    open_shift(lane_api)
    basket_id, status, _ = pay_bread(lane_api)
    assert status == 200 and lane_api.post(f"/baskets/{basket_id}/complete")[0] == 201
    status, z = lane_api.post("/shifts/current/close", {"counted_cash": "100.00"})
    assert status == 200, z
    card = z["card_terminal"]
    assert (card["state"], card["terminal_total"], card["difference"]) == ("done", "4.98", "0.00")


def test_a_nexo_terminal_is_attached_with_its_url_and_poiid(lane: Lane) -> None:
    with pytest.raises(CommandError, match="POIID"):
        call_command("add_lane_device", lane=1, kind="terminal", protocol="nexo",
                     port="https://10.0.0.9:8443")  # fmt: skip
    with pytest.raises(CommandError, match="its URL"):
        call_command("add_lane_device", lane=1, kind="terminal", protocol="nexo",
                     port="10.0.0.9:8443", options='{"poi_id": "V400m-1"}')  # fmt: skip
    call_command("add_lane_device", lane=1, kind="terminal", protocol="nexo",
                 port="https://10.0.0.9:8443", options='{"poi_id": "V400m-1"}')  # fmt: skip
