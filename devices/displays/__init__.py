"""Pole displays: the customer-facing 2×20 vacuum fluorescent displays on a serial line,
driven with Epson's ESC/POS customer display command set (ESC @, CLR, US $ n m, US MD1, US
C n, US X n), which most pole displays speak or emulate. The display only listens: what it
is sent is what it shows; a line that cannot be written is the only failure it reports.

`screen()` lays two lines out; `PoleDisplay` writes them in place (overwrite mode, cursor
moved to each line, never a clear in between: no flicker as lines are scanned)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import serial

COLUMNS = 20
ROWS = 2
BAUDRATE = 9600

ESC, US = b"\x1b", b"\x1f"
INITIALISE = ESC + b"@"  # clears the screen, home, the default modes
CLEAR = b"\x0c"  # CLR: every character cleared, the cursor home
HOME = b"\x0b"
OVERWRITE_MODE = US + b"\x01"  # US MD1
VERTICAL_SCROLL_MODE = US + b"\x02"  # US MD2
HORIZONTAL_SCROLL_MODE = US + b"\x03"  # US MD3
CURSOR = US + b"C"  # US C n: 0 hidden, 1 shown
BRIGHTNESS = US + b"X"  # US X n: 1 (dimmest) to 4
MOVE = US + b"$"  # US $ n m: column n (1-20), line m (1-2)

# What the display's character set cannot show is written as it reads.
_SPELLED = {"€": "EUR", "£": "GBP", "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O",
            "œ": "oe", "Œ": "OE", "×": "x", "–": "-", "—": "-", "’": "'", "‘": "'",
            "“": '"', "”": '"', "…": "..."}  # fmt: skip


class DisplayError(Exception):
    """The display's line cannot be opened or written."""


def plain(text: str) -> str:
    """`text` in the printable ASCII every pole display shows: accents dropped, the euro
    spelled, control characters (which the display would take as commands) removed."""
    spelled = "".join(_SPELLED.get(c, c) for c in text)
    ascii_only = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    return "".join(c if " " <= c <= "~" else " " for c in ascii_only)


def fit(text: str, width: int = COLUMNS) -> str:
    return plain(text)[:width].ljust(width)


def two_columns(left: str, right: str, width: int = COLUMNS) -> str:
    """`left` cut short so that `right` (an amount) always shows whole, at the right."""
    right = plain(right)[:width]
    room = width - len(right) - 1  # a space between the two
    if room <= 0:
        return right.rjust(width)
    return plain(left)[:room].ljust(room) + " " + right


def centred(text: str, width: int = COLUMNS) -> str:
    return plain(text)[:width].center(width)


def start() -> bytes:
    """What a display is sent once it is opened: initialised, overwrite mode, no cursor."""
    return INITIALISE + OVERWRITE_MODE + CURSOR + b"\x00" + CLEAR


def screen(top: str, bottom: str) -> bytes:
    """Both lines written in place, each padded to the display's width (the rest of the
    line is overwritten with spaces, never cleared first)."""
    return (MOVE + bytes([1, 1]) + fit(top).encode("ascii")
            + MOVE + bytes([1, 2]) + fit(bottom).encode("ascii"))  # fmt: skip


def brightness(level: int) -> bytes:
    if not 1 <= level <= 4:
        raise ValueError("a display's brightness is 1 to 4")
    return BRIGHTNESS + bytes([level])


@dataclass
class PoleDisplay:
    """A pole display on a serial port (9600 8N1 by default, as they are shipped)."""

    port: serial.Serial

    @classmethod
    def open(cls, path: str, *, baudrate: int | None = None, timeout: float = 1.0) -> PoleDisplay:
        if not path.startswith("/"):
            raise DisplayError(f"{path!r} is not a serial port (/dev/ttyUSB0)")
        try:
            port = serial.Serial(path, baudrate=baudrate or BAUDRATE, timeout=timeout,
                                 write_timeout=timeout)  # fmt: skip
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DisplayError(f"cannot open {path}: {exc}") from exc
        display = cls(port)
        display.write(start())
        return display

    def show(self, top: str, bottom: str) -> None:
        self.write(screen(top, bottom))

    def write(self, data: bytes) -> None:
        try:
            self.port.write(data)
            self.port.flush()
        except (serial.SerialException, OSError) as exc:
            raise DisplayError(f"{self.port.port}: {exc}") from exc

    def close(self) -> None:
        self.port.close()
