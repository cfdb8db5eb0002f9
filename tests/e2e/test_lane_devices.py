"""A lane's day on the devices that close a sale, in headless Chromium against the whole
store (gunicorn, the Celery worker on Redis, the device gateway): a receipt printer and a
ZVT card terminal, both simulated on TCP ports of this machine and speaking their real
protocols. The tests run in order on one lane: a card sale on the terminal, a cash sale that
opens the drawer, the paper running out, the line dropped after a card was charged, and a
declined card."""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from devices.printers.simulator import PrinterSimulator
from devices.terminals.simulator import ZvtSimulator
from tests.lane_browser import Lane, chromium, screenshots_dir
from tests.processes import System, manage, running_system

pytestmark = pytest.mark.e2e

WATER = "4000001000005"  # Alpenhof Sparkling water 0.5 l, 3.49, "Water 0.20 off"
COLA = "4080001000083"


class Day:
    def __init__(self, system: System, browser: Browser, screenshots: Path,
                 printer: PrinterSimulator, terminal: ZvtSimulator) -> None:  # fmt: skip
        self.system = system
        self.printer = printer
        self.terminal = terminal
        self.lane = Lane(browser, system.store_url, screenshots)
        self.lane.set_up(system.lane_token)
        self.lane.sign_in("12", "1234")
        self.lane.ready()
        self.lane.open_shift_if_asked("150.00")
        self.page = self.lane.page
        # The customer display, a second window of the lane's browser.
        self.display = self.page.context.new_page()
        self.display.goto(f"{system.store_url}/pos/display")
        expect(self.display.locator("#display-idle")).to_contain_text("Welcome")

    def rows(self, sql: str, *args: object) -> list[tuple]:
        with sqlite3.connect(self.system.tmp / "store" / "store.sqlite3") as db:
            return db.execute(sql, args).fetchall()

    def ring(self, code: str) -> Decimal:
        lines = len(self.lane.lines())
        self.lane.wedge(code)
        self.lane.wait_lines(lines + 1)
        return Decimal(self.page.inner_text("#total"))

    def pay_on_the_terminal(self) -> None:
        self.page.keyboard.press("F10")
        expect(self.page.locator("#pay")).to_be_visible()
        self.page.click("#pay-card-button")

    def done(self) -> str:
        expect(self.page.locator("#done")).to_be_visible(timeout=20_000)
        number = self.page.inner_text("#done-number")
        self.page.click("[data-action=new-sale]")
        expect(self.page.locator("#done")).to_be_hidden()
        return number


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory, catalog_file: Path) -> Iterator[Day]:
    tmp = tmp_path_factory.mktemp("devices")
    printer = PrinterSimulator(out_dir=tmp / "printed")
    terminal = ZvtSimulator()
    try:
        with running_system(tmp, catalog_file) as system:
            system.start("hq")
            system.store_manage("sync_now", "--pull-only")
            manage("store_edge.settings", "create_staff", "--code", "12", "--name",
                   "Cat Cashier", "--role", "cashier",
                   env={**system.store_env, "STAFF_PIN": "1234"})  # fmt: skip
            for kind, protocol, port, options in (
                ("printer", "escpos", printer.address, "{}"),
                ("terminal", "zvt", terminal.address, '{"payment_seconds": 20}'),
            ):
                system.store_manage("add_lane_device", "--lane", "1", "--kind", kind,
                                    "--protocol", protocol, "--port", port,
                                    "--options", options)  # fmt: skip
            for service in ("store", "gateway", "worker"):
                system.start(service)
            with chromium() as browser:
                running = Day(system, browser, screenshots_dir(tmp), printer, terminal)
                expect(running.page.locator("#devices")).to_contain_text(
                    "printer ok, terminal ok", timeout=20_000
                )
                yield running
                assert running.lane.errors == [], running.lane.errors
    finally:
        printer.close()
        terminal.close()


def words(text: str) -> list[str]:
    """A receipt's words in order; the paper's rules (------) are only paper."""
    return [word for word in re.findall(r"\S+", text) if not re.fullmatch(r"[-=]+", word)]


def test_a_card_sale_is_paid_on_the_terminal_and_its_receipt_printed(day: Day) -> None:
    page = day.page
    total = day.ring(WATER)
    page.keyboard.press("F10")
    # The till sends the amount: nothing of the card is typed.
    expect(page.locator("#card-amount")).to_have_value(f"{total:.2f}")
    expect(page.locator("#card-amount")).to_have_attribute("readonly", "")
    expect(page.locator("#card-ref")).to_be_hidden()
    expect(page.locator("#card-last4")).to_be_hidden()
    day.lane.shot("pay-on-terminal")
    page.click("#pay-card-button")
    number = day.done()
    assert [c.amount for c in day.terminal.approved()] == [total]
    assert day.rows("SELECT method, amount, card_last4 FROM sales_saletender") == [
        ("card", float(total), "0011")
    ]

    # The printed receipt says what the receipt page says, word for word (with the card
    # terminal's customer copy).
    (printed,) = day.printer.wait_receipts(1, timeout=15)
    assert printed.barcodes == [("CODE128", number)]
    assert day.printer.decoder.drawer_kicks == 0  # a card sale leaves the drawer shut
    (sale_id,) = day.rows("SELECT id FROM sales_sale WHERE number = ?", number)[0]
    receipt = day.lane.page.context.new_page()
    receipt.goto(f"{day.system.store_url}/pos/receipts/{uuid.UUID(sale_id)}")
    shown = receipt.inner_text("#receipt")
    receipt.close()
    assert words(printed.text()) == words(shown)
    assert "Customer copy" in printed.text() and "Card ************0011" in printed.text()
    assert (day.system.tmp / "printed" / "receipt-00001.txt").exists()


def test_a_cash_sale_opens_the_drawer_and_the_customer_display_follows(day: Day) -> None:
    display = day.display
    day.ring(WATER)
    expect(display.locator("#display-lines")).to_contain_text("Alpenhof Sparkling water 0.5 l")
    expect(display.locator("#display-lines")).to_contain_text("Water 0.20 off")
    total = day.ring(COLA)
    expect(display.locator("#display-lines tr.line")).to_have_count(2)
    expect(display.locator("#display-total")).to_have_text(f"{total:.2f}")
    expect(display.locator("#display-savings")).to_have_text("0.20")
    day.page.keyboard.press("F10")
    day.page.fill("#cash-amount", "20.00")
    day.page.click("#pay-cash-button")
    expect(display.locator("#display-done")).to_contain_text("Thank you")
    expect(display.locator("#display-change")).to_have_text(f"{Decimal('20.00') - total:.2f}")
    display.screenshot(path=str(day.lane.screenshots / "customer-display.png"))
    number = day.done()
    expect(display.locator("#display-idle")).to_be_visible()
    printed = day.printer.wait_receipts(2, timeout=15)
    assert printed[-1].barcodes == [("CODE128", number)]
    assert day.printer.decoder.drawer_kicks == 1


def test_the_paper_runs_out_the_sale_completes_and_the_receipt_prints_after(day: Day) -> None:
    page = day.page
    day.printer.state.paper_out = True
    expect(page.locator("#devices")).to_contain_text("printer out of paper", timeout=15_000)
    day.ring(WATER)
    page.keyboard.press("F10")
    page.click("#pay-quick button >> nth=0")
    number = day.done()
    expect(page.locator("#message")).to_contain_text(f"Receipt {number} not printed",
                                                     timeout=15_000)  # fmt: skip
    day.lane.shot("paper-out")
    assert day.rows("SELECT count(*) FROM sales_sale WHERE number = ?", number) == [(1,)]
    assert len(day.printer.receipts) == 2
    assert day.printer.state.drawer_open  # the drawer opened by the real-time pulse
    day.printer.state.paper_out = False
    expect(page.locator("#devices")).to_contain_text("printer ok", timeout=15_000)
    page.click("[data-action=reprint]")
    printed = day.printer.wait_receipts(3, timeout=15)
    assert printed[-1].barcodes == [("CODE128", number)]


def test_the_line_drops_after_the_card_was_charged_and_it_is_charged_once(day: Day) -> None:
    day.terminal.state.mode = "drop_after_approve"
    charged = len(day.terminal.approved())
    total = day.ring(COLA)
    day.pay_on_the_terminal()
    number = day.done()
    assert [c.amount for c in day.terminal.approved()[charged:]] == [total]
    (sale_id,) = day.rows("SELECT id FROM sales_sale WHERE number = ?", number)[0]
    assert day.rows("SELECT method, amount FROM sales_saletender WHERE sale_id = ?", sale_id) == [
        ("card", float(total))
    ]
    day.terminal.state.mode = "approve"


def test_a_declined_card_records_nothing_and_the_cashier_is_told_why(day: Day) -> None:
    page = day.page
    day.terminal.state.mode, day.terminal.state.decline_code = "decline", 0x51
    tenders = day.rows("SELECT count(*) FROM sales_basketpayment")
    day.ring(WATER)
    day.pay_on_the_terminal()
    expect(page.locator("#pay-error")).to_contain_text("Card declined: insufficient funds",
                                                       timeout=15_000)  # fmt: skip
    day.lane.shot("declined")
    assert day.rows("SELECT count(*) FROM sales_basketpayment") == tenders
    day.terminal.state.mode = "approve"
    page.click("#pay-card-button")
    day.done()


def test_a_return_of_a_card_sale_is_refunded_on_the_terminal(day: Day) -> None:
    page = day.page
    total = day.ring(COLA)
    day.pay_on_the_terminal()
    number = day.done()
    before = len(day.terminal.charges)
    printed = len(day.printer.receipts)
    day.lane.wedge(number)  # the receipt's barcode
    expect(page.locator("#form-dialog")).to_contain_text(f"Sale {number}")
    expect(page.locator("#field-terminal_reference")).to_have_count(0)  # nothing typed
    page.locator("input[aria-label^='Return quantity of']").first.fill("1")
    page.click("#form button[type=submit]")
    expect(page.locator("#message")).to_contain_text(f"card {total:.2f}", timeout=15_000)
    day.lane.shot("refund-on-terminal")
    assert [(c.amount, c.refund) for c in day.terminal.charges[before:]] == [(total, True)]
    (tender,) = day.rows(
        "SELECT t.amount, t.card_last4 FROM sales_saletender t JOIN sales_sale s ON s.id ="
        " t.sale_id JOIN sales_sale o ON o.id = s.returns_sale_id WHERE o.number = ?",
        number,
    )
    assert tender == (-float(total), "0011")
    receipt = day.printer.wait_receipts(printed + 1, timeout=15)[-1]
    assert any("RETURN" in line for line in receipt.lines)  # printed by the lane's printer
    expect(page.locator("#paper")).to_be_hidden()  # not through the browser's dialog
