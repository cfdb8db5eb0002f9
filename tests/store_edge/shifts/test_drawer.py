"""The cash drawer: opened through the lane's printer for cash sales, paid in and out, and
for no sale (which needs a reason and is recorded: a ledger entry for HQ, the audit log, the
shift's report); the Z report counts the drawer's openings and, on a lane with a card
terminal, runs the terminal's end of day and compares it with the shift's card tenders."""

from __future__ import annotations

from decimal import Decimal

import pytest

from devices.printers.simulator import PrinterSimulator
from devices.terminals.simulator import ZvtSimulator
from store_edge.audit.models import AuditEntry
from store_edge.ledger.models import LedgerEntry
from store_edge.peripherals.models import PrintJob, TerminalPayment
from store_edge.shifts.models import CashMovement, Shift
from tests.store_edge.conftest import BREAD, LaneClient, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def open_shift(lane_api: LaneClient) -> None:
    status, _ = lane_api.post("/shifts", {"opening_float": "100.00", "cashier": "12"})
    assert status == 201


def test_no_sale_opens_the_drawer_with_its_reason_on_record(
    lane_api: LaneClient, printer: PrinterSimulator
) -> None:
    open_shift(lane_api)
    status, x = lane_api.post("/shifts/current/cash",
                              {"kind": "no_sale", "reason": "change for a customer"})  # fmt: skip
    assert status == 201, x
    assert (x["no_sales"], x["drawer_openings"], x["expected_cash"]) == (1, 1, "100.00")
    wait_until(lambda: printer.decoder.drawer_kicks == 1)
    assert printer.receipts == []  # the drawer opens; no paper moves
    (entry,) = LedgerEntry.objects.filter(kind="drawer_opened")
    assert entry.payload["reason"] == "change for a customer" and entry.payload["lane"] == 1
    assert entry.payload["shift_id"] == x["shift_id"]
    (audited,) = AuditEntry.objects.filter(action="no_sale")
    assert "change for a customer" in audited.object_repr
    assert PrintJob.objects.get().what == "drawer"


def test_paid_in_and_out_open_the_drawer_and_the_z_report_counts_every_opening(
    lane_api: LaneClient, printer: PrinterSimulator
) -> None:
    open_shift(lane_api)
    lane_api.ring([{"code": BREAD, "quantity": 2}], pay="10.00")  # a cash sale
    for kind, amount in (("paid_in", "20.00"), ("paid_out", "5.00")):
        body = {"kind": kind, "amount": amount, "reason": "float top-up"}
        assert lane_api.post("/shifts/current/cash", body)[0] == 201
    lane_api.post("/shifts/current/cash", {"kind": "no_sale", "reason": "customer's change"})
    wait_until(lambda: printer.decoder.drawer_kicks == 4)
    status, z = lane_api.post("/shifts/current/close", {"counted_cash": "119.98"})
    assert status == 200, z
    assert (z["drawer_openings"], z["no_sales"], z["variance"]) == (4, 1, "0.00")
    assert z["card_terminal"] is None  # no terminal on this lane
    report = LedgerEntry.objects.get(kind="shift_closed").payload
    assert (report["drawer_openings"], report["no_sales"]) == (4, 1)


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "no_sale", "reason": ""},
        {"kind": "no_sale", "reason": "ok"},
        {"kind": "no_sale", "amount": "5.00", "reason": "change for a customer"},
        {"kind": "no_sale", "reason": "x" * 201},
        {"kind": "paid_in", "reason": "no amount given"},
    ],
)
def test_a_no_sale_without_a_reason_or_with_money_is_refused_and_nothing_opens(
    lane_api: LaneClient, body: dict
) -> None:
    open_shift(lane_api)
    status, _ = lane_api.post("/shifts/current/cash", body)
    assert status == 422
    assert not CashMovement.objects.exists()
    assert not LedgerEntry.objects.filter(kind="drawer_opened").exists()
    assert not PrintJob.objects.exists()


def test_a_no_sale_needs_an_open_shift(lane_api: LaneClient) -> None:
    status, _ = lane_api.post("/shifts/current/cash", {"kind": "no_sale", "reason": "change"})
    assert status == 409
    assert not LedgerEntry.objects.filter(kind="drawer_opened").exists()


def test_the_z_report_runs_the_terminals_end_of_day_against_the_card_tenders(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    open_shift(lane_api)
    for _ in range(2):
        basket_id = lane_api.new_basket()
        _, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD, "quantity": 1})
        paid = lane_api.post(f"/baskets/{basket_id}/payments",
                             {"method": "card", "amount": basket["amount_due"]})  # fmt: skip
        assert paid[0] == 200, paid
        assert lane_api.post(f"/baskets/{basket_id}/complete")[0] == 201
    status, z = lane_api.post("/shifts/current/close", {"counted_cash": "100.00"})
    assert status == 200, z
    card = z["card_terminal"]
    assert (card["state"], card["terminal_total"], card["card_tenders"], card["difference"]) == (
        "done", "4.98", "4.98", "0.00")  # fmt: skip
    assert card["unresolved"] == []
    assert terminal.charges == []  # the terminal's end of day closed its batch
    assert LedgerEntry.objects.get(kind="shift_closed").payload["card_terminal"] == card
    assert Shift.objects.get().card_terminal == card


def test_an_unresolved_card_payment_is_on_the_z_report(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    open_shift(lane_api)
    lane = Shift.objects.get().lane
    TerminalPayment.objects.create(lane=lane, amount=Decimal("12.00"), released_by="77",
                                   state=TerminalPayment.State.UNRESOLVED)  # fmt: skip
    status, z = lane_api.post("/shifts/current/close", {"counted_cash": "100.00"})
    assert status == 200, z
    (unresolved,) = z["card_terminal"]["unresolved"]
    assert (unresolved["amount"], unresolved["released_by"]) == ("12.00", "77")


def test_the_z_report_waits_for_a_card_payment_under_way(
    lane_api: LaneClient, terminal: ZvtSimulator
) -> None:
    open_shift(lane_api)
    lane = Shift.objects.get().lane
    TerminalPayment.objects.create(lane=lane, amount=Decimal("3.00"),
                                   state=TerminalPayment.State.UNKNOWN)  # fmt: skip
    terminal.close()  # the terminal cannot be asked: the outcome stays unknown
    status, answer = lane_api.post("/shifts/current/close", {"counted_cash": "100.00"})
    assert status == 409 and "checking the terminal" in answer["detail"]
    assert Shift.objects.get().closed_at is None
