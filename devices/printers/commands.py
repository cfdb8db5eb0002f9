"""What a receipt printer is sent, in ESC/POS (python-escpos writes the commands), and what
it answers to a real-time status request (DLE EOT n).

The receipt is printed as text in the printer's own fonts, never as a raster image: it
prints at once and stays sharp; the sale number is the printer's own CODE128 barcode.
"""

from __future__ import annotations

from dataclasses import dataclass

from escpos.printer import Dummy

from devices.printers.layout import Receipt, columns, tax_lines, wrap

PROFILE = "TM-T88V"  # python-escpos' capability profile: the common 80 mm thermal printer
DLE_EOT = b"\x10\x04"
STATUS_REQUESTS = (1, 2, 4)  # printer, offline cause, roll paper sensor
INIT = b"\x1b@"


class PrinterError(Exception):
    """The printer cannot be reached or refused the job (the message says why)."""


class PrinterNotReady(PrinterError):
    """The printer answers but cannot print (out of paper, cover open, offline)."""

    def __init__(self, status: PrinterStatus) -> None:
        super().__init__(status.problem)
        self.status = status


class PrinterNoAnswer(PrinterError):
    """The printer took the connection but did not answer a status request."""


class PrinterProtocolError(PrinterError):
    """The printer answered something that is not an ESC/POS status byte."""


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """What the printer says of itself (DLE EOT 1, 2 and 4)."""

    online: bool = True
    cover_open: bool = False
    paper_out: bool = False
    paper_near_end: bool = False
    drawer_pin_high: bool = False  # the drawer sensor: which level means open is the drawer's
    error: bool = False

    @property
    def can_print(self) -> bool:
        return self.online and not (self.cover_open or self.paper_out or self.error)

    @property
    def problem(self) -> str:
        """What stops it printing, for the cashier ("" when it can print)."""
        if self.paper_out:
            return "the printer is out of paper"
        if self.cover_open:
            return "the printer's cover is open"
        if self.error:
            return "the printer reports an error"
        if not self.online:
            return "the printer is offline"
        return ""

    def as_json(self) -> dict[str, bool]:
        return {"online": self.online, "cover_open": self.cover_open,
                "paper_out": self.paper_out, "paper_near_end": self.paper_near_end,
                "drawer_pin_high": self.drawer_pin_high, "error": self.error}  # fmt: skip


def _check(byte: int, request: int) -> None:
    # Every status byte has bit 1 and bit 4 set and bits 0 and 7 clear (fixed bits).
    if not 0 <= byte <= 0xFF or byte & 0b1001_0011 != 0b0001_0010:
        raise PrinterProtocolError(f"{byte:#04x} is not an answer to DLE EOT {request}")


def status_of(printer: int, offline: int, paper: int) -> PrinterStatus:
    """The status from the answers to DLE EOT 1 (printer), 2 (offline cause) and 4 (roll
    paper sensor), as the ESC/POS command reference defines their bits."""
    _check(printer, 1)
    _check(offline, 2)
    _check(paper, 4)
    return PrinterStatus(
        online=not printer & 0b0000_1000,
        drawer_pin_high=bool(printer & 0b0000_0100),
        cover_open=bool(offline & 0b0000_0100),
        error=bool(offline & 0b0100_0000),
        paper_out=paper & 0b0110_0000 == 0b0110_0000 or bool(offline & 0b0010_0000),
        paper_near_end=paper & 0b0000_1100 == 0b0000_1100,
    )


def status_request(n: int) -> bytes:
    return DLE_EOT + bytes([n])


def render(receipt: Receipt, *, width: int = 42, drawer: bool = False) -> bytes:
    """The receipt as ESC/POS: text, the grand total emphasised, the sale number as a native
    CODE128 barcode, a cut; the cash drawer kicked (ESC p, pin 2) when `drawer`."""
    printer = Dummy(profile=PROFILE)
    printer._raw(INIT)  # noqa: SLF001 - the raw channel is python-escpos' own way to send
    printer.set(align="center", bold=True, double_height=True, double_width=True)
    _wrapped(printer, (receipt.title,), width // 2)
    printer.set(align="center", normal_textsize=True)
    _wrapped(printer, (*receipt.header, *receipt.markers), width)
    printer.set(align="left")
    printer.textln("-" * width)
    for row in receipt.items:
        indent = "  " if row.style in ("adjustment", "note") else ""
        _lines(printer, columns(indent + row.left, row.right, width))
    printer.textln("-" * width)
    for row in receipt.sums:
        if row.style == "grand":
            printer.set(bold=True, double_height=True)
            _lines(printer, columns(row.left, row.right, width))
            printer.set(normal_textsize=True, bold=False)
        else:
            _lines(printer, columns(row.left, row.right, width))
    if receipt.taxes:
        printer.ln()
        _lines(printer, tax_lines(receipt.taxes, width))
    if receipt.barcode:
        printer.ln()
        # The printer's own barcode (python-escpos' hardware path, without its notice on
        # standard output): CODE128, code set B.
        printer._hw_barcode("{B" + receipt.barcode, "CODE128", height=60, width=2,  # noqa: SLF001
                            pos="OFF", font="A", align_ct=True, function_type="B",
                            check=True)  # fmt: skip
        printer.set(align="center")
    _wrapped(printer, receipt.footer, width)
    printer.set(align="left")
    for slip in receipt.slips:
        printer.textln("-" * width)
        _wrapped(printer, slip, width)
    printer.cut()
    if drawer:
        printer.cashdraw(2)
    return bytes(printer.output)


def _lines(printer: Dummy, lines: list[str]) -> None:
    for line in lines:
        printer.textln(line)


def _wrapped(printer: Dummy, texts: tuple[str, ...], width: int) -> None:
    for text in texts:
        _lines(printer, wrap(text, width))


def drawer_kick() -> bytes:
    """Open the cash drawer and nothing else (no sale, paid in or out)."""
    printer = Dummy(profile=PROFILE)
    printer.cashdraw(2)
    return bytes(printer.output)


def drawer_pulse() -> bytes:
    """Open the drawer now, even while the printer is stopped (out of paper, cover open):
    DLE DC4 1 m t, the real-time pulse, on pin 2 for 500 ms. The cashier still gives
    change when the receipt cannot print."""
    return b"\x10\x14\x01\x00\x05"
