"""Receipt printers: the status bytes and the command stream as Epson's ESC/POS command
reference defines them (frames built by hand from it, not by our own renderer), the
receipt's layout, and the driver against the simulator over real TCP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.printers import (
    LayoutError,
    PrinterError,
    PrinterNoAnswer,
    PrinterProtocolError,
    Receipt,
    Row,
    TaxRow,
    drawer_kick,
    drawer_pulse,
    render,
    status_of,
    text_lines,
)
from devices.printers.connection import open_printer
from devices.printers.decode import MAX_LINE, Decoder
from devices.printers.layout import columns, wrap
from devices.printers.simulator import PrinterSimulator, PrinterState

ROOT = Path(__file__).resolve().parents[2]

RECEIPT = Receipt(
    title="Épicerie du Marché",
    header=("Store 07", "Lane 1 · Cashier Ana", "2026-12-04 10:15"),
    markers=("*** REPRINT ***",),
    items=(
        Row("Organic whole milk 1 l in a long name that has to wrap", "2.58"),
        Row("2 × 1.29", "", "detail"),
        Row("2 for 2.00 (group 1 of 1)", "-0.58", "adjustment"),
        Row("Lowest 30-day price 1.19", "", "note"),
    ),
    sums=(Row("Subtotal", "2.58", "sum"), Row("TOTAL EUR", "2.00", "grand"),
          Row("Cash", "5.00", "tender"), Row("Change", "3.00", "sum")),
    taxes=(TaxRow("reduced", "7 %", "1.87", "0.13", "2.00"),),
    barcode="07-0000012",
    footer=("Sale 07-0000012", "Keep this receipt for returns."),
)  # fmt: skip


# Status (DLE EOT n) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("replies", "expected"),
    [
        # Fixed bits only (bits 1 and 4): online, drawer pin low, nothing wrong, paper there.
        ((0x12, 0x12, 0x12), {"online": True, "paper_out": False, "cover_open": False}),
        # Out of paper: n=1 offline (bit 3); n=2 printing stopped by paper end (bit 5);
        # n=4 near-end (bits 2, 3) and end (bits 5, 6) sensors.
        ((0x1A, 0x32, 0x7E), {"online": False, "paper_out": True, "paper_near_end": True}),
        # Cover open: offline, n=2 bit 2.
        ((0x1A, 0x16, 0x12), {"online": False, "cover_open": True, "paper_out": False}),
        # Paper near its end, still printing.
        ((0x12, 0x12, 0x1E), {"online": True, "paper_near_end": True, "paper_out": False}),
        # Drawer kick connector pin 3 high (n=1 bit 2).
        ((0x16, 0x12, 0x12), {"drawer_pin_high": True, "online": True}),
        # An error occurred (n=2 bit 6).
        ((0x1A, 0x52, 0x12), {"error": True, "online": False}),
    ],
)
def test_status_bits_read_as_the_command_reference_defines_them(
    replies: tuple[int, int, int], expected: dict[str, bool]
) -> None:
    status = status_of(*replies)
    assert {k: status.as_json()[k] for k in expected} == expected
    assert status.can_print == (not status.problem)


@pytest.mark.parametrize("byte", [0x00, 0xFF, 0x10, 0x02, 0x92, 0x13])
def test_a_byte_without_the_fixed_bits_is_not_a_status(byte: int) -> None:
    with pytest.raises(PrinterProtocolError, match="DLE EOT 1"):
        status_of(byte, 0x12, 0x12)


@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
def test_any_three_bytes_are_a_status_or_a_protocol_error(a: int, b: int, c: int) -> None:
    try:
        status = status_of(a, b, c)
    except PrinterProtocolError:
        return
    assert status.can_print == (status.problem == "")


# The stream, decoded -----------------------------------------------------------------

# Built by hand from the command reference: ESC @ (initialise), ESC t 16 (WPC1252), text
# with 0x80 (the euro sign in 1252), LF, ESC E 1 (emphasis) text LF ESC E 0, GS k 73 n
# {B data (CODE128, function B, code set B), GS k 2 data NUL (EAN13, function A), ESC d 3
# (feed three lines), ESC p 0 25 250 (drawer pin 2, 50 ms on, 500 ms off), GS V 65 3 (feed
# and cut), a GS v 0 raster image of 1 x 2 bytes that prints no text, DLE EOT 1 and 4.
SPEC_STREAM = (
    b"\x1b@" b"\x1bt\x10" b"Total \x80 5" b"\n"
    b"\x1bE\x01" b"THANK YOU" b"\n" b"\x1bE\x00"
    b"\x1dkI\x0c{B07-0000012"
    b"\x1dk\x024006381333931\x00"
    b"\x1bd\x03"
    b"\x1bp\x00\x19\xfa"
    b"\x1dv0\x00\x01\x00\x02\x00\xff\x00"
    b"\x10\x04\x01" b"\x10\x04\x04"
    b"\x1dVA\x03"
)  # fmt: skip


def test_a_stream_built_from_the_command_reference_decodes() -> None:
    decoder = Decoder()
    requests = decoder.feed(SPEC_STREAM)
    assert requests == [1, 4]
    assert decoder.errors == []
    assert decoder.drawer_kicks == 1
    (printed,) = decoder.receipts
    assert printed.lines == ["Total € 5", "THANK YOU"]
    assert printed.emphasised == ["THANK YOU"]
    assert printed.barcodes == [("CODE128", "07-0000012"), ("EAN13", "4006381333931")]
    assert printed.cut


@given(st.lists(st.integers(1, 40), min_size=1, max_size=60))
def test_a_stream_decodes_the_same_in_pieces_of_any_size(sizes: list[int]) -> None:
    whole = Decoder()
    whole.feed(SPEC_STREAM)
    pieces, at, requests = Decoder(), 0, []
    for size in sizes * (len(SPEC_STREAM) // sum(sizes) + 1):
        requests += pieces.feed(SPEC_STREAM[at : at + size])
        at += size
    assert requests == [1, 4]
    assert pieces.receipts == whole.receipts
    assert pieces.drawer_kicks == whole.drawer_kicks


@settings(max_examples=400)
@given(st.binary(max_size=2000))
def test_garbage_never_crashes_the_decoder_nor_piles_up(data: bytes) -> None:
    decoder = Decoder()
    requests = decoder.feed(data)
    assert all(1 <= n <= 4 for n in requests)
    assert len(decoder._pending) <= len(data)  # noqa: SLF001 - what waits for its end
    for printed in (*decoder.receipts, decoder.current):
        assert all(len(line) <= MAX_LINE * 4 for line in printed.lines)


def test_an_endless_line_and_an_oversized_image_are_errors_not_memory() -> None:
    decoder = Decoder()
    decoder.feed(b"x" * (MAX_LINE * 3) + b"\n")
    decoder.feed(b"\x1dv0\x00\xff\xff\xff\xff")  # 4 GB claimed
    assert any("longer" in e for e in decoder.errors)
    assert any("bytes claimed" in e for e in decoder.errors)
    assert len(decoder.current.lines[0]) == MAX_LINE


def test_a_control_byte_in_a_name_is_not_a_command_on_the_receipt() -> None:
    hostile = Receipt.from_json({"title": "Shop", "items": [
        {"left": "Milk\x1bp\x00\x19\xfa\x1dVA", "right": "1.00"}]})  # fmt: skip
    decoder = Decoder()
    decoder.feed(render(hostile))
    assert decoder.drawer_kicks == 0
    assert len(decoder.receipts) == 1


# Layout ------------------------------------------------------------------------------


# What a receipt row holds once read (Receipt.from_json): printable text.
PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=300)


@given(PRINTABLE, st.text(alphabet="0123456789.-", max_size=12),
       st.sampled_from([32, 42, 48]))  # fmt: skip
def test_columns_never_overflow_and_keep_the_amount_flush_right(
    left: str, right: str, width: int
) -> None:
    lines = columns(left, right, width)
    assert all(len(line) <= width for line in lines)
    if right:
        assert lines[-1].endswith(right)
    assert "".join("".join(wrap(left, width)).split()) == "".join(left.split())  # nothing lost


def test_a_receipt_goes_through_json_as_it_was() -> None:
    assert Receipt.from_json(json.loads(json.dumps(RECEIPT.as_json()))) == RECEIPT


@pytest.mark.parametrize(
    "document",
    [
        [],
        {},
        {"title": 5},
        {"title": "x" * 500},
        {"title": "Shop", "items": "milk"},
        {"title": "Shop", "items": [{"left": "a", "style": "blink"}]},
        {"title": "Shop", "items": [{"left": "a"}] * 5000},
        {"title": "Shop", "taxes": [{"label": "A"}]},
        {"title": "Shop", "barcode": "07-\x00"},
    ],
)
def test_a_malformed_receipt_document_is_refused_clearly(document: object) -> None:
    with pytest.raises(LayoutError):
        Receipt.from_json(document)


def test_narrow_paper_gets_the_tax_summary_on_two_lines_per_class() -> None:
    lines = text_lines(RECEIPT, 32)
    assert all(len(line) <= 32 for line in lines)
    assert any(line.endswith("2.00") and "net 1.87 tax 0.13" in line for line in lines)
    with pytest.raises(LayoutError):
        text_lines(RECEIPT, 50)


# The driver and the simulator, over TCP ------------------------------------------------


@pytest.fixture
def simulator(tmp_path: Path):
    printer = PrinterSimulator(out_dir=tmp_path / "printed")
    yield printer
    printer.close()


def test_a_receipt_prints_as_laid_out_with_the_drawer_kicked(
    simulator: PrinterSimulator, tmp_path: Path
) -> None:
    printer = open_printer(simulator.address)
    try:
        status = printer.send(render(RECEIPT, drawer=True))
    finally:
        printer.close()
    (printed,) = simulator.wait_receipts(1)
    assert [line.strip() for line in printed.lines if line.strip()] == [
        line.strip() for line in text_lines(RECEIPT) if line.strip()
    ]
    assert printed.barcodes == [("CODE128", "07-0000012")]
    assert "TOTAL EUR                             2.00" in printed.emphasised
    assert simulator.decoder.drawer_kicks == 1 and status.drawer_pin_high
    assert simulator.decoder.errors == []
    # The time of the receipt's last byte is kept apart from later status requests.
    printed_at = simulator.print_byte_at
    assert printed_at is not None
    printer = open_printer(simulator.address)
    try:
        printer.status()
    finally:
        printer.close()
    assert simulator.last_byte_at is not None and simulator.last_byte_at > printed_at
    assert simulator.print_byte_at == printed_at
    (kept,) = (tmp_path / "printed").glob("receipt-*.txt")
    assert "Lowest 30-day price 1.19" in kept.read_text()


@pytest.mark.parametrize(
    ("fault", "why"),
    [("paper_out", "out of paper"), ("cover_open", "cover is open"), ("offline", "offline")],
)
def test_a_printer_that_cannot_print_is_sent_nothing(
    simulator: PrinterSimulator, fault: str, why: str
) -> None:
    setattr(simulator.state, fault, True)
    printer = open_printer(simulator.address)
    try:
        with pytest.raises(PrinterError, match=why):
            printer.send(render(RECEIPT))
    finally:
        printer.close()
    assert simulator.receipts == []


def test_a_printer_that_does_not_answer_is_given_up_in_its_timeout(
    simulator: PrinterSimulator,
) -> None:
    simulator.state = PrinterState(silent=True)
    printer = open_printer(simulator.address, timeout=0.3)
    started = time.monotonic()
    try:
        with pytest.raises(PrinterNoAnswer):
            printer.status()
    finally:
        printer.close()
    assert time.monotonic() - started < 1.5


def test_a_printer_away_is_a_clear_error() -> None:
    from deploy.local.redis_server import free_port

    with pytest.raises(PrinterError, match="cannot reach the printer"):
        open_printer(f"127.0.0.1:{free_port()}", timeout=0.5)
    with pytest.raises(PrinterError, match="is not host:port"):
        open_printer("printer:ninety")
    with pytest.raises(PrinterError, match="cannot open"):
        open_printer("/dev/usb/lp99")


def test_the_drawer_alone_is_kicked_without_paper_moving(simulator: PrinterSimulator) -> None:
    printer = open_printer(simulator.address)
    try:
        printer.send(drawer_kick())
        status = printer.status()
    finally:
        printer.close()
    assert status.drawer_pin_high and simulator.decoder.drawer_kicks == 1
    assert simulator.receipts == []


# The diagnostic CLI ------------------------------------------------------------------


def devices(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devices", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=30)  # fmt: skip


def test_cli_reads_the_status_and_prints_a_test_page(simulator: PrinterSimulator) -> None:
    status = devices("printer", "status", "--port", simulator.address)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["can_print"] is True
    test = devices("printer", "test", "--port", simulator.address, "--width", "32")
    assert test.returncode == 0, test.stderr
    (page,) = simulator.wait_receipts(1)
    assert page.lines[0] == "Printer test" and page.barcodes == [("CODE128", "TEST-0000001")]
    assert max(len(line) for line in page.lines) <= 32


def test_cli_exit_codes_say_what_to_check(simulator: PrinterSimulator) -> None:
    simulator.state.paper_out = True
    out_of_paper = devices("printer", "test", "--port", simulator.address)
    assert out_of_paper.returncode == 3
    assert "out of paper" in json.loads(out_of_paper.stderr)["error"]
    simulator.state = PrinterState(silent=True)
    silent = devices("printer", "status", "--port", simulator.address, "--timeout", "0.2")
    assert silent.returncode == 4
    assert devices("printer", "status").returncode == 2


def test_the_real_time_drawer_pulse_is_read_as_the_reference_defines_it() -> None:
    # DLE DC4 fn=1 m=0 t=5: a pulse on pin 2 for 5 x 100 ms, carried out even when stopped.
    decoder = Decoder()
    decoder.feed(b"\x10\x14\x01\x00\x05")
    assert (decoder.pulses, decoder.drawer_kicks, decoder.errors) == (1, 0, [])
    assert drawer_pulse() == b"\x10\x14\x01\x00\x05"


def test_a_stopped_simulator_answers_status_and_pulses_but_prints_nothing(
    simulator: PrinterSimulator,
) -> None:
    simulator.state.cover_open = True
    printer = open_printer(simulator.address)
    try:
        printer.line.write(render(RECEIPT) + drawer_pulse())
        status = printer.status()
    finally:
        printer.close()
    assert status.cover_open and status.drawer_pin_high
    assert simulator.receipts == []
