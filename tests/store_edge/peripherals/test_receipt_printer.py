"""A lane's receipt printer: a completed sale's receipt goes to the printer through the
gateway's own worker (real Redis, the printer simulator over TCP), equal in content to the
receipt page; cash opens the drawer; a printer that cannot print never undoes a sale: the
receipt is held, the lane is told, and Last receipt prints it once the printer is back."""

from __future__ import annotations

import re
import time
from html import unescape

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from devices.printers import text_lines
from devices.printers.layout import Receipt
from devices.printers.simulator import PrinterSimulator
from store_edge.lanes.models import Lane
from store_edge.peripherals.models import PrintJob
from store_edge.sales.models import Sale
from tests.store_edge.conftest import BREAD, WATER, LaneClient, sold_with_card_and_cash, wait_until
from tests.store_edge.monitoring.test_metrics_page import scrape

pytestmark = pytest.mark.django_db(transaction=True)


def page_text(html: str) -> list[str]:
    """The receipt page's text, a line per table row or paragraph, spaces folded."""
    body = html[html.index('<article class="receipt"') : html.index("</article>")]
    body = re.sub(r"<svg.*?</svg>", "", body, flags=re.DOTALL)
    rows = re.split(r"</tr>|</p>|</h1>|</thead>", body)
    texts = [" ".join(unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]
    return [t for t in texts if t]


def test_a_sale_prints_on_the_lanes_printer_as_laid_out(
    lane_api: LaneClient, printer: PrinterSimulator
) -> None:
    sale = sold_with_card_and_cash(lane_api)
    assert sale["receipt_printer"] == "queued"
    (printed,) = printer.wait_receipts(1)
    assert printed.barcodes == [("CODE128", sale["number"])]
    assert printer.decoder.drawer_kicks == 1  # cash changed hands
    wait_until(lambda: PrintJob.objects.get().state == PrintJob.State.PRINTED)
    job = PrintJob.objects.get()
    assert job.printed_at is not None and not job.drawer  # opened: not again on a reprint
    layout = Receipt.from_json(job.document)
    paper = [" ".join(line.split()) for line in printed.lines if line.strip("- ")]
    assert paper == [" ".join(line.split()) for line in text_lines(layout) if line.strip("- ")]
    for text in ("TOTAL EUR 7.47", "Card ****4242 ref T-1 5.00", f"Sale {sale['number']}"):
        assert text in paper


def test_the_printer_prints_what_the_receipt_page_shows(
    lane_api: LaneClient, printer: PrinterSimulator, lane_token: str, staff: None
) -> None:
    from tests.store_edge.pos.test_pages import signed_in

    sale = lane_api.ring([{"code": WATER, "quantity": 2}, {"code": BREAD}])
    (printed,) = printer.wait_receipts(1)
    html = signed_in(Client(), lane_token).get(f"/pos/receipts/{sale['id']}").content.decode()
    paper = [" ".join(line.split()) for line in printed.lines if line.strip("- ")]
    # Row by row, in order: the page's two-line item (name, then quantity and amount) and
    # its tax table's header are the paper's too.
    assert page_text(html) == paper


def test_a_printer_out_of_paper_holds_the_receipt_and_opens_the_drawer(
    lane_api: LaneClient, printer: PrinterSimulator
) -> None:
    printer.state.paper_out = True
    sale = lane_api.ring([{"code": BREAD}])
    assert sale["receipt_printer"] == "queued"
    assert Sale.objects.filter(number=sale["number"]).exists()  # the sale stands
    wait_until(lambda: PrintJob.objects.filter(state=PrintJob.State.HELD).exists())
    assert printer.receipts == [] and printer.decoder.drawer_kicks == 0
    assert printer.state.drawer_open  # the real-time pulse opened it all the same
    status, news = lane_api.get("/lane/peripherals")
    assert status == 200
    assert news["printing"]["held"] == 1
    assert news["printing"]["last"]["error"] == "the printer is out of paper"
    assert news["printing"]["last"]["sale_id"] == sale["id"]
    wait_until(lambda: lane_api.get("/lane/peripherals")[1]["devices"][0]["printer"]["paper_out"])
    metrics = scrape(Client())
    assert metrics["edge_printer_status{condition=paper_out,lane=1}"] == 1
    assert metrics["edge_printer_status{condition=online,lane=1}"] == 0
    assert metrics["edge_receipts_held{lane=1}"] == 1
    # Paper back in: Last receipt prints the held receipt as it was (no reprint marker),
    # and the drawer, opened already, stays shut.
    printer.state.paper_out, printer.state.drawer_open = False, False
    status, answer = lane_api.post(f"/sales/{sale['id']}/print")
    assert (status, answer) == (202, {"receipt_printer": "queued"})
    (printed,) = printer.wait_receipts(1)
    assert "*** REPRINT ***" not in printed.lines and not printer.state.drawer_open
    wait_until(lambda: PrintJob.objects.get().state == PrintJob.State.PRINTED)
    # Once more: a copy, marked as such.
    lane_api.post(f"/sales/{sale['id']}/print")
    assert "*** REPRINT ***" in printer.wait_receipts(2)[1].lines


def test_a_printer_away_holds_the_receipt_and_the_sale_stands(
    lane_api: LaneClient, printer: PrinterSimulator
) -> None:
    printer.close()
    sale = lane_api.ring([{"code": BREAD}])
    assert sale["receipt_printer"] == "queued"
    wait_until(lambda: PrintJob.objects.filter(state=PrintJob.State.HELD).exists())
    assert "cannot reach the printer" in PrintJob.objects.get().last_error
    wait_until(lambda: not lane_api.get("/lane/peripherals")[1]["devices"][0]["connected"])


def test_a_lane_without_a_printer_prints_from_the_page(lane_api: LaneClient) -> None:
    sale = lane_api.ring([{"code": BREAD}])
    assert sale["receipt_printer"] == "no printer"
    assert PrintJob.objects.count() == 0
    assert lane_api.post(f"/sales/{sale['id']}/print") == (202, {"receipt_printer": "no printer"})
    assert lane_api.get("/lane/peripherals")[1]["printing"] is None


def test_a_repeated_completion_prints_nothing_more(
    lane_api: LaneClient, printer: PrinterSimulator
) -> None:
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD})
    lane_api.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "5.00"})
    first = lane_api.post(f"/baskets/{basket_id}/complete")
    again = lane_api.post(f"/baskets/{basket_id}/complete")
    assert (first[0], again[0]) == (201, 200)
    assert again[1]["receipt_printer"] == ""
    printer.wait_receipts(1)
    time.sleep(0.3)
    assert len(printer.receipts) == 1 and PrintJob.objects.count() == 1


def test_print_of_an_unknown_sale_is_404(lane_api: LaneClient) -> None:
    status, answer = lane_api.post("/sales/00000000-0000-0000-0000-000000000009/print")
    assert status == 404


def test_add_lane_device_refuses_a_printer_speaking_a_scale_protocol(lane: Lane) -> None:
    with pytest.raises(CommandError, match="a printer does not speak sics: escpos"):
        call_command("add_lane_device", lane=lane.number, kind="printer", protocol="sics",
                     port="127.0.0.1:9100")  # fmt: skip
