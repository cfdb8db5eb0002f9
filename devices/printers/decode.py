"""What an ESC/POS stream says: the text it prints (by code page), its barcodes, its cuts,
its drawer kicks and its real-time status requests. The printer simulator reads what it is
sent with it; it never raises on what it is sent: a command it does not know, a truncated
or oversized one is an error it records, and it goes on with the next byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, DLE, FS, LF, CR, HT, NUL = 0x1B, 0x1D, 0x10, 0x1C, 0x0A, 0x0D, 0x09, 0x00
EOT = 0x04
MAX_LINE = 512  # characters on one printed line before the decoder calls it garbage
MAX_COMMAND = 1 << 20  # bytes one command may claim (a logo); more is garbage
MAX_ERRORS = 100
# ESC t n: the code pages of Epson's table that Python has a codec for.
CODE_PAGES = {0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 13: "cp857",
              14: "cp737", 15: "iso8859_7", 16: "cp1252", 17: "cp866", 18: "cp852",
              19: "cp858", 45: "cp1250", 46: "cp1251", 47: "cp1253", 48: "cp1254",
              49: "cp1255", 50: "cp1256", 51: "cp1257", 52: "cp1258"}  # fmt: skip
# Commands of ESC/POS by their length after the command byte (fixed-length ones).
ESC_FIXED = {b"@": 0, b"!": 1, b"E": 1, b"-": 1, b"a": 1, b"t": 1, b"d": 1, b"J": 1,
             b"M": 1, b"G": 1, b"2": 0, b"3": 1, b"{": 1, b"V": 1, b"p": 3, b"R": 1,
             b"c": 2, b"=": 1, b" ": 1, b"$": 2, b"e": 1, b"r": 1}  # fmt: skip
GS_FIXED = {b"!": 1, b"h": 1, b"w": 1, b"f": 1, b"H": 1, b"L": 2, b"B": 1, b"b": 1,
            b"a": 1, b"r": 1, b"I": 1, b"W": 2, b"P": 2, b"T": 1}  # fmt: skip
BARCODES = {65: "UPC-A", 66: "UPC-E", 67: "EAN13", 68: "EAN8", 69: "CODE39", 70: "ITF",
            71: "CODABAR", 72: "CODE93", 73: "CODE128"}  # fmt: skip


@dataclass
class Printed:
    """What came out of the printer between two cuts."""

    lines: list[str] = field(default_factory=list)
    barcodes: list[tuple[str, str]] = field(default_factory=list)  # (symbology, data)
    emphasised: list[str] = field(default_factory=list)  # lines printed bold or enlarged
    cut: bool = False

    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Decoder:
    """Reads an ESC/POS stream as it arrives, in pieces of any size."""

    receipts: list[Printed] = field(default_factory=list)  # cut ones
    current: Printed = field(default_factory=Printed)
    drawer_kicks: int = 0  # ESC p
    pulses: int = 0  # DLE DC4 1: a real-time drawer pulse (carried out even when stopped)
    errors: list[str] = field(default_factory=list)
    code_page: str = "cp437"
    bold: bool = False
    size: int = 0
    _line: bytearray = field(default_factory=bytearray)
    _pending: bytearray = field(default_factory=bytearray)
    _overflow: bool = False

    def feed(self, data: bytes) -> list[int]:
        """Take the next bytes; return the status requests (DLE EOT n: each n) they hold, in
        order, for the caller to answer."""
        self._pending += data
        requests: list[int] = []
        at = 0
        buffer = self._pending
        while at < len(buffer):
            used = self._one(buffer, at, requests)
            if used == 0:  # an incomplete command: wait for the rest
                break
            at += used
        del buffer[:at]
        return requests

    def _error(self, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)

    def _one(self, b: bytearray, at: int, requests: list[int]) -> int:  # noqa: C901, PLR0911, PLR0912 - one branch per command
        byte = b[at]
        left = len(b) - at
        if byte == LF:
            self._newline()
            return 1
        if byte in (CR, NUL):
            return 1
        if byte == HT:
            self._text(b" " * (8 - len(self._line) % 8))
            return 1
        if byte == DLE:
            if left < 3:
                return 0
            if b[at + 1] == EOT:
                if 1 <= b[at + 2] <= 4:
                    requests.append(b[at + 2])
                else:
                    self._error(f"DLE EOT {b[at + 2]}: no such status")
                return 3
            if b[at + 1] == 0x14:  # DLE DC4: real-time pulse (drawer) and friends
                if left < 5:
                    return 0
                if b[at + 2] == 1:
                    self.pulses += 1
                return 5
            self._error(f"DLE {b[at + 1]:#04x}: unknown")
            return 1
        if byte == ESC:
            if left < 2:
                return 0
            command = bytes(b[at + 1 : at + 2])
            if command == b"*":  # bit image: ESC * m nL nH d1...dk
                if left < 5:
                    return 0
                dots = b[at + 3] + 256 * b[at + 4]
                size = 5 + dots * (3 if b[at + 2] in (32, 33) else 1)
                return size if left >= size else 0
            if command not in ESC_FIXED:
                self._error(f"ESC {command!r}: unknown")
                return 1
            size = 2 + ESC_FIXED[command]
            if left < size:
                return 0
            self._esc(command, b[at + 2 : at + size])
            return size
        if byte == GS:
            if left < 2:
                return 0
            command = bytes(b[at + 1 : at + 2])
            if command == b"V":
                if left < 3:
                    return 0
                size = 4 if b[at + 2] in (65, 66, 97, 98, 103, 104) else 3
                if left < size:
                    return 0
                self._cut()
                return size
            if command == b"k":
                return self._barcode(b, at, left)
            if command in (b"v", b"("):
                return self._block(b, at, left, command)
            if command not in GS_FIXED:
                self._error(f"GS {command!r}: unknown")
                return 1
            size = 2 + GS_FIXED[command]
            if left < size:
                return 0
            if command == b"!":
                self.size = b[at + 2]
            return size
        if byte == FS:  # FS & / FS . (kanji on and off): nothing to print here
            if left < 2:
                return 0
            return 2
        if byte < 0x20:
            self._error(f"control byte {byte:#04x}")
            return 1
        self._text(bytes([byte]))
        return 1

    def _esc(self, command: bytes, args: bytearray) -> None:
        if command == b"@":
            self.code_page, self.bold, self.size = "cp437", False, 0
        elif command == b"!":
            self.bold, self.size = bool(args[0] & 0x08), (0x11 if args[0] & 0x30 else 0)
        elif command == b"E":
            self.bold = bool(args[0] & 1)
        elif command == b"t":
            page = CODE_PAGES.get(args[0])
            if page is None:
                self._error(f"ESC t {args[0]}: a code page this simulator does not know")
            self.code_page = page or "cp437"
        elif command == b"d":
            self._newline()
            for _ in range(args[0] - 1):
                self.current.lines.append("")
        elif command == b"p":
            self.drawer_kicks += 1

    def _barcode(self, b: bytearray, at: int, left: int) -> int:
        if left < 3:
            return 0
        kind = b[at + 2]
        if kind <= 6:  # function A: data up to NUL
            end = b.find(b"\x00", at + 3)
            if end < 0:
                if left > 255:
                    self._error("GS k: a barcode without its end")
                    return 3
                return 0
            data, size = bytes(b[at + 3 : end]), end + 1 - at
        else:  # function B: a length, then the data
            if left < 4:
                return 0
            size = 4 + b[at + 3]
            if left < size:
                return 0
            data = bytes(b[at + 4 : at + size])
        name = BARCODES.get(kind, BARCODES.get(kind + 65, f"barcode {kind}"))
        text = data.decode("latin-1")
        if name == "CODE128" and text[:2] in ("{A", "{B", "{C"):
            text = text[2:]
        self.current.barcodes.append((name, text))
        return size

    def _block(self, b: bytearray, at: int, left: int, command: bytes) -> int:
        """Graphics: GS v 0 m xL xH yL yH data, GS ( x pL pH data. Skipped, not printed."""
        if command == b"v":
            if left < 8:
                return 0
            size = 8 + (b[at + 4] + 256 * b[at + 5]) * (b[at + 6] + 256 * b[at + 7])
        else:
            if left < 5:
                return 0
            size = 5 + b[at + 3] + 256 * b[at + 4]
        if size > MAX_COMMAND:
            self._error(f"GS {command!r}: {size} bytes claimed")
            return 2
        return size if left >= size else 0

    def _text(self, data: bytes) -> None:
        if len(self._line) >= MAX_LINE:
            if not self._overflow:  # once a line
                self._error("a line longer than any paper")
            self._overflow = True
            return
        self._line += data.decode(self.code_page, errors="replace").encode("utf-8")

    def _newline(self) -> None:
        line = self._line.decode("utf-8", errors="replace").rstrip()
        self._line.clear()
        self._overflow = False
        self.current.lines.append(line)
        if (self.bold or self.size) and line:
            self.current.emphasised.append(line.strip())

    def _cut(self) -> None:
        if self._line:
            self._newline()
        while self.current.lines and not self.current.lines[-1]:
            self.current.lines.pop()
        self.current.cut = True
        self.receipts.append(self.current)
        self.current = Printed()
