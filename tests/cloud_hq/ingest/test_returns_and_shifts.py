"""Returns and Z reports pushed by a store: a return is kept as a sale of negative amounts
naming the sale it takes back; a Z report keeps the lane's cash variance. Documents that do
not add up are refused whole."""

import uuid
from decimal import Decimal
from typing import Any

import pytest

from cloud_hq.ingest.models import NoSale, Sale, SaleLine, ShiftClose
from cloud_hq.reconciliation.models import Conflict, ConflictKind, StockLevel
from tests.cloud_hq.conftest import (
    BREAD,
    WATER,
    StoreClient,
    StoreCredentials,
    Till,
    holdings,
)


def test_a_return_is_kept_with_the_sale_it_takes_back_and_puts_stock_back(
    hq: StoreClient, till: Till
) -> None:
    sale = till.sale((WATER, "2", "0.79"), (BREAD, "1", "2.49"))
    back = till.refund(sale)
    answer = hq.push([*sale, *back])
    assert answer.status_code == 200, answer.content
    refund = Sale.objects.get(returns=sale[0]["payload"]["number"])
    assert refund.total == Decimal("-4.07")
    sold_lines = {line["id"] for line in sale[0]["payload"]["lines"]}
    assert {str(line.returns_line) for line in SaleLine.objects.filter(sale=refund)} == sold_lines
    assert {level.sku: level.quantity for level in StockLevel.objects.all()} == {
        WATER: Decimal("0.000"), BREAD: Decimal("0.000")}  # fmt: skip


def _positive_return(entries: list[dict[str, Any]]) -> None:
    entries[0]["payload"]["lines"][0]["amount"] = "1.58"


def _sale_naming_a_return(entries: list[dict[str, Any]]) -> None:
    entries[0]["kind"] = "sale_completed"


def _refund_to_nobody(entries: list[dict[str, Any]]) -> None:
    entries[0]["payload"]["returns"] = "x" * 33


@pytest.mark.parametrize("defect", [_positive_return, _sale_naming_a_return, _refund_to_nobody])
def test_a_return_that_does_not_add_up_is_quarantined(
    hq: StoreClient, store: StoreCredentials, till: Till, defect: Any
) -> None:
    sale = till.sale((WATER, "2", "0.79"))
    assert hq.push(sale).status_code == 200
    back = till.refund(sale)
    defect(back)
    answer = hq.push(back)
    assert answer.status_code == 200, answer.content
    [held] = answer.json()["quarantined"]
    assert held["seq"] == 3 and held["reason"].startswith("entry #3")
    assert Sale.objects.count() == 1  # the return is held, not recorded
    assert holdings(store.store_id)["high_water_mark"] == 4


def test_a_z_report_keeps_the_lanes_cash_variance(hq: StoreClient, till: Till) -> None:
    report = till.shift_closed(expected="150.00", counted="149.20")
    assert hq.push([report]).status_code == 200
    shift = ShiftClose.objects.get()
    assert (shift.expected_cash, shift.counted_cash, shift.variance) == (
        Decimal("150.00"), Decimal("149.20"), Decimal("-0.80"))  # fmt: skip
    assert shift.tenders == {"cash": "100.00"}
    assert hq.push([report]).json()["duplicates"] == 1
    assert ShiftClose.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"variance": "0.00"}, "variance"),
        ({"closed_at": "2026-11-19T09:00:00+00:00"}, "closes after it opens"),
        ({"counted_cash": "-1.00"}, "counted_cash"),
        ({"tenders": {f"m{n}": "1.00" for n in range(11)}}, "tenders"),
        ({"shift_id": "00000000-0000-0000-0000-000000000001"}, "another shift"),
        ({"lane": 0}, "lane"),
        ({"drawer_openings": -1}, "drawer_openings"),
        (
            {
                "card_terminal": {
                    "state": "done",
                    "terminal_total": "10.00",
                    "card_tenders": "9.00",
                    "difference": "0.00",
                }
            },
            "difference must be",
        ),
        (
            {
                "card_terminal": {
                    "state": "not done",
                    "terminal_total": "10.00",
                    "card_tenders": "9.00",
                    "difference": "1.00",
                }
            },
            "not done has no",
        ),
        ({"card_terminal": {"state": "maybe", "card_tenders": "9.00"}}, "card_terminal.state"),
        (
            {
                "card_terminal": {
                    "state": "done",
                    "terminal_total": "1.00",
                    "card_tenders": "1.00",
                    "difference": "0.00",
                    "pan": "5413330089020011",
                }
            },
            "card_terminal.pan",
        ),
    ],
)
def test_a_z_report_that_does_not_add_up_is_quarantined(
    hq: StoreClient, store: StoreCredentials, till: Till, change: dict, message: str
) -> None:
    report = till.shift_closed(expected="150.00", counted="149.20")
    report["payload"].update(change)
    answer = hq.push([report])
    assert answer.status_code == 200, answer.content
    assert message in answer.json()["quarantined"][0]["reason"]
    assert not ShiftClose.objects.exists()


def test_a_z_report_carries_the_drawer_and_the_terminals_end_of_day(
    hq: StoreClient, till: Till
) -> None:
    report = till.shift_closed(expected="150.00", counted="150.00")
    card = {"state": "done", "message": "", "terminal_total": "42.10", "card_tenders": "42.10",
            "difference": "0.00", "unresolved": []}  # fmt: skip
    report["payload"].update(drawer_openings=7, no_sales=2, card_terminal=card)
    assert hq.push([report]).status_code == 200
    shift = ShiftClose.objects.get()
    assert (shift.drawer_openings, shift.no_sales) == (7, 2)
    assert shift.card_terminal == card
    assert not Conflict.objects.exists()  # the terminal agrees with the tills card tenders


@pytest.mark.parametrize(
    "card",
    [
        {"state": "done", "terminal_total": "40.00", "card_tenders": "42.10",
         "difference": "-2.10"},
        {"state": "not done", "message": "the terminal did not answer", "card_tenders": "42.10"},
        {"state": "done", "terminal_total": "42.10", "card_tenders": "42.10", "difference": "0.00",
         "unresolved": [{"id": "6f1c2a8e-4a7b-4d55-9b9e-1f0f3b2a9c11", "amount": "12.00",
                         "at": "2026-11-20T11:00:00+00:00", "released_by": "77"}]},
    ],
)  # fmt: skip
def test_a_terminal_that_disagrees_goes_to_the_conflict_queue(
    hq: StoreClient, till: Till, card: dict
) -> None:
    report = till.shift_closed(expected="150.00", counted="150.00")
    report["payload"]["card_terminal"] = card
    assert hq.push([report]).status_code == 200
    (conflict,) = Conflict.objects.all()
    assert conflict.kind == ConflictKind.CARD_TERMINAL
    assert conflict.reference == f"shift:{report['document_id']}"
    assert conflict.detail["card_tenders"] == "42.10"


def test_a_no_sale_is_kept_in_hqs_ledger_and_one_that_does_not_read_is_held(
    hq: StoreClient, till: Till
) -> None:
    opened = till._entry("drawer_opened", uuid.uuid4(), payload={
        "lane": 1, "shift_id": str(uuid.uuid4()), "reason": "change for a customer", "by": "12",
        "at": "2026-11-20T10:00:00+00:00"})  # fmt: skip
    bad = till._entry("drawer_opened", uuid.uuid4(), payload={"lane": 1, "reason": "x"})
    answer = hq.push([opened, bad])
    assert answer.status_code == 200, answer.content
    (held,) = answer.json()["quarantined"]
    assert held["seq"] == bad["seq"] and "payload" in held["reason"]
    (kept,) = NoSale.objects.filter(kind="drawer_opened", quarantine_reason="")
    assert kept.payload["reason"] == "change for a customer"
