"""The POS page in headless Chromium against the whole system: HQ and the store under
gunicorn, the store's Celery worker and beat on Redis, and the device gateway with a
simulated scale and serial scanner. The tests run in order on one system, as a lane's day:
a sale, a return and the Z report, a lock-out, and a sale while HQ is away."""

import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from devices.simulators import ScaleSimulator, ScannerSimulator
from tests.lane_browser import Lane, chromium, screenshots_dir, wait_true
from tests.processes import System, manage, running_system

pytestmark = pytest.mark.e2e

WATER = "4000001000005"  # Alpenhof Sparkling water 0.5 l, 3.49, "Water 0.20 off"
COLA = "4080001000083"  # Alpenhof Cola 0.33 l
UNKNOWN = "5901234123457"  # a valid EAN-13 the catalogue does not hold
BANANAS = "4011"


class Day:
    def __init__(self, system: System, browser: Browser, screenshots: Path,
                 scale: ScaleSimulator, scanner: ScannerSimulator) -> None:  # fmt: skip
        self.system = system
        self.browser = browser
        self.screenshots = screenshots
        self.scale = scale
        self.scanner = scanner
        self.lanes: list[Lane] = []

    def lane(self) -> Lane:
        lane = Lane(self.browser, self.system.store_url, self.screenshots)
        self.lanes.append(lane)
        return lane

    def signed_in(self, code: str = "12", pin: str = "1234") -> Lane:
        lane = self.lane()
        lane.set_up(self.system.lane_token)
        lane.sign_in(code, pin)
        lane.ready()
        lane.open_shift_if_asked()
        return lane

    def store_rows(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.system.tmp / "store" / "store.sqlite3") as db:
            return db.execute(sql).fetchall()


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory, catalog_file: Path) -> Iterator[Day]:
    tmp = tmp_path_factory.mktemp("lane")
    with running_system(tmp, catalog_file) as system:
        system.start("hq")
        system.store_manage("sync_now", "--pull-only")
        for code, name, role, pin in (("12", "Cat Cashier", "cashier", "1234"),
                                      ("77", "Sam Supervisor", "supervisor", "4321")):  # fmt: skip
            manage("store_edge.settings", "create_staff", "--code", code, "--name", name,
                   "--role", role, env={**system.store_env, "STAFF_PIN": pin})  # fmt: skip
        scale = ScaleSimulator(tmp / "ttyScale", "toledo8217")
        scale.state.weight = Decimal("0.512")
        scanner = ScannerSimulator(tmp / "ttyScanner")
        for kind, protocol, device in (("scale", "toledo8217", scale),
                                       ("scanner", "serial_scanner", scanner)):  # fmt: skip
            system.store_manage("add_lane_device", "--lane", "1", "--kind", kind,
                                "--protocol", protocol, "--port", str(device.path))  # fmt: skip
        for service in ("store", "gateway", "worker", "beat"):
            system.start(service)
        try:
            with chromium() as browser:
                running = Day(system, browser, screenshots_dir(tmp), scale, scanner)
                yield running
                for lane in running.lanes:
                    assert lane.errors == [], lane.errors
        finally:
            scale.close()
            scanner.close()


def test_a_cashier_scans_weighs_gets_a_promotion_pays_cash_and_prints(day: Day) -> None:
    lane = day.lane()
    lane.set_up(day.system.lane_token)
    lane.shot("sign-in")
    lane.sign_in("12", "1234")
    lane.ready()
    lane.open_shift_if_asked("150.00")
    page = lane.page

    # A keyboard-wedge scan, typed wherever the focus is, twice: each line gets its promotion.
    lane.wedge(WATER)
    lane.wait_lines(1)
    page.locator("body").click(position={"x": 300, "y": 600})  # focus away from the code field
    lane.wedge(WATER)
    lane.wait_lines(2)
    expect(page.locator("#lines .adjustment")).to_have_count(2)
    expect(page.locator("#lines")).to_contain_text("Water 0.20 off")
    expect(page.locator("#discounts")).to_have_text("-0.40")
    # A reduced price shows the lowest price of the 30 days before it, as HQ published it
    # (HQ's prices go back to this system's start only: the price before, 3.49).
    expect(page.locator("#lines .prior-price")).to_have_count(2)
    expect(page.locator("#lines .prior-price").first).to_have_text("Lowest 30-day price 3.49")
    assert page.input_value("#entry-input") == ""  # the scan never landed in the field
    sources = page.evaluate("window.posMetrics.scans.map(s => s.source)")
    assert sources == ["wedge", "wedge"]

    # An unknown barcode: a clear message, and nothing added.
    lane.wedge(UNKNOWN)
    expect(page.locator("#message")).to_contain_text("No product with code 5901234123457")
    assert len(lane.lines()) == 2

    # A serial scanner's scan arrives through the gateway.
    day.scanner.scan(COLA)
    lane.wait_lines(3)
    expect(page.locator("#lines")).to_contain_text("Cola 0.33 l")

    # A weighed item typed by its PLU: the page shows the scale's live reading until the
    # weight is stable, then adds it.
    day.scale.state.motion = True
    expect(page.locator("#scale-reading")).to_contain_text("motion")
    page.fill("#entry-input", BANANAS)
    page.press("#entry-input", "Enter")
    expect(page.locator("#weigh")).to_be_visible()
    expect(page.locator("#scale-reading")).to_contain_text("motion")
    lane.shot("weighing")
    day.scale.state.motion = False
    lane.wait_lines(4)
    expect(page.locator("#weigh")).to_be_hidden()
    expect(page.locator("#lines")).to_contain_text("0.512 kg")
    lane.shot("lane")
    total = Decimal(page.inner_text("#total"))

    # Paying: letters are refused without a payment; a double click on "Pay cash" pays once.
    page.keyboard.press("F10")
    expect(page.locator("#pay")).to_be_visible()
    page.fill("#cash-amount", "twenty")
    page.click("#pay-cash-button")
    expect(page.locator("#pay-error")).to_contain_text("write an amount like 20.00")
    assert day.store_rows("SELECT count(*) FROM sales_basketpayment") == [(0,)]
    page.fill("#cash-amount", "50")
    lane.shot("payment")
    page.dblclick("#pay-cash-button")
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#done-change")).to_have_text(f"{Decimal('50') - total:.2f}")
    assert day.store_rows("SELECT count(*), sum(amount_paid) FROM sales_sale") == [(1, 50.0)]
    assert day.store_rows("SELECT count(*) FROM sales_basketpayment") == [(1,)]
    number = page.inner_text("#done-number")

    # The receipt: printed from the page, and as the customer gets it.
    page.click("[data-action=print-receipt]")
    frame = page.frame_locator("#paper-frame")
    expect(frame.locator("#receipt")).to_contain_text(f"Sale {number}")
    expect(frame.locator("#receipt")).to_contain_text("Water 0.20 off")
    expect(frame.locator("#receipt")).to_contain_text("Cat Cashier")
    wait_true(page, "window.printed === 1")
    receipt = page.get_attribute("#paper-frame", "src")
    page.click("[data-action=paper-close]")
    page.click("[data-action=new-sale]")
    page.goto(f"{day.system.store_url}{receipt}")
    expect(page.locator("#receipt")).to_contain_text("TOTAL EUR")
    lane.shot("receipt")


def test_a_return_by_scanning_the_receipt_then_the_z_report(day: Day) -> None:
    lane = day.signed_in()
    page = lane.page
    number, total = day.store_rows("SELECT number, total FROM sales_sale")[0]
    lane.wedge(number)  # the receipt's barcode
    expect(page.locator("#form-dialog")).to_be_visible()
    expect(page.locator("#form-dialog")).to_contain_text(f"Sale {number}")
    water = page.get_by_label("Return quantity of Alpenhof Sparkling water 0.5 l")
    water.first.fill("1")
    lane.shot("return")
    page.click("#form button[type=submit]")
    expect(page.locator("#message")).to_contain_text("Refund")
    expect(page.locator("#message")).to_contain_text("cash 3.29")
    frame = page.frame_locator("#paper-frame")
    expect(frame.locator("#receipt")).to_contain_text(f"RETURN of sale {number}")
    page.click("[data-action=paper-close]")

    # Returning more than is left is refused on the page.
    lane.wedge(number)
    expect(water.first).to_be_disabled()  # that line came back whole
    water.nth(1).fill("2")
    page.click("#form button[type=submit]")
    expect(page.locator("#form .error")).to_contain_text("at most 1 can come back")
    page.click("#form button:has-text('Cancel')")

    # Paid out, then the Z report: counted against expected cash.
    page.click("[data-action=shift]")
    page.click("#form button[data-choice=paid_out]")
    page.fill("#field-amount", "10.00")
    page.fill("#field-reason", "Window cleaner")
    page.click("#form button[type=submit]")
    expect(page.locator("#message")).to_contain_text("Paid out 10.00")
    page.click("[data-action=shift]")
    page.click("#form button[data-choice=z]")
    page.fill("#field-counted_cash", "150.00")
    page.click("#form button[type=submit]")
    report = page.frame_locator("#paper-frame").locator("#report")
    expect(report).to_contain_text("Z REPORT")
    expected = Decimal("150.00") + Decimal(str(total)) - Decimal("3.29") - Decimal("10.00")
    expect(report.locator("#expected-cash")).to_have_text(f"{expected:.2f}")
    expect(report.locator("#variance")).to_have_text(f"{Decimal('150.00') - expected:.2f}")
    wait_true(page, "window.printed >= 1")
    page.goto(f"{day.system.store_url}{page.get_attribute('#paper-frame', 'src')}")
    lane.shot("z-report")
    closed = "SELECT count(*) FROM inventory_ledgerentry WHERE kind = 'shift_closed'"
    assert day.store_rows(closed) == [(1,)]


def test_five_wrong_pins_lock_a_cashier_out_and_the_lock_screen_holds(day: Day) -> None:
    lane = day.lane()
    lane.set_up(day.system.lane_token)
    for _ in range(5):
        lane.sign_in("77", "0000")
    expect(lane.page.locator("#sign-in-error")).to_contain_text("now locked for 15 minutes")
    lane.sign_in("77", "4321")
    expect(lane.page.locator("#sign-in-error")).to_contain_text("is locked after 5 wrong PINs")
    lane.shot("locked-out")

    cashier = day.signed_in()
    page = cashier.page
    page.keyboard.press("F12")
    expect(page.locator("#lock-screen")).to_be_visible()
    cashier.wedge(WATER)  # a scan on a locked lane rings nothing, nor lands in the PIN
    assert page.input_value("#unlock-pin") == ""
    page.fill("#unlock-pin", "9999")
    page.click("#unlock button[type=submit]")
    expect(page.locator("#unlock-error")).to_contain_text("tries left")
    page.fill("#unlock-pin", "1234")
    page.click("#unlock button[type=submit]")
    expect(page.locator("#lock-screen")).to_be_hidden()
    assert cashier.lines() == []


def test_the_lane_locks_even_when_the_store_box_does_not_answer(day: Day) -> None:
    cashier = day.signed_in()
    page = cashier.page
    page.route("**/pos/lock", lambda route: route.abort())
    page.route("**/pos/unlock", lambda route: route.abort())
    page.keyboard.press("F12")
    expect(page.locator("#lock-screen")).to_be_visible()
    page.fill("#unlock-pin", "1234")
    page.click("#unlock button[type=submit]")
    expect(page.locator("#unlock-error")).to_contain_text("not answering")
    expect(page.locator("#lock-screen")).to_be_visible()  # no PIN checked, no way in
    page.unroute("**/pos/unlock")
    page.fill("#unlock-pin", "1234")
    page.click("#unlock button[type=submit]")
    expect(page.locator("#lock-screen")).to_be_hidden()


def test_hq_away_shows_the_offline_banner_and_the_sale_still_completes(day: Day) -> None:
    day.system.services["hq"].stop()
    lane = day.signed_in()
    page = lane.page
    expect(page.locator("#banner")).to_contain_text(
        "sales are stored safely and will sync", timeout=40_000
    )
    expect(page.locator("#banner")).to_contain_text("Offline since")
    lane.wedge(COLA)
    lane.wait_lines(1)
    page.keyboard.press("F10")
    page.click("#pay-quick button >> nth=0")  # the exact amount
    expect(page.locator("#done")).to_be_visible()
    page.click("[data-action=new-sale]")
    expect(page.locator("#pending")).not_to_have_text("0 entries to send")
    lane.shot("offline")
    sales = day.store_rows("SELECT count(*) FROM sales_sale WHERE total > 0")[0][0]
    assert sales == 2

    day.system.start("hq")
    expect(page.locator("#banner")).to_be_hidden(timeout=40_000)
    expect(page.locator("#pending")).to_have_text("0 entries to send", timeout=40_000)
