"""A pole display on a pty: it takes Epson's customer display command set as a 2×20 VFD
does and keeps what it would show (`lines`), for tests and the demo. Commands it does not
know are ignored, as a display ignores them, and listed in `unknown`."""

from __future__ import annotations

from pathlib import Path

from devices.displays import COLUMNS, ROWS
from devices.simulators import PtyDevice

# Commands with the number of parameter bytes after them.
_US_PARAMETERS = {0x01: 0, 0x02: 0, 0x03: 0, 0x0A: 0, 0x0D: 0, 0x42: 0, 0x24: 2, 0x43: 1,
                  0x45: 1, 0x58: 1, 0x72: 1, 0x54: 2, 0x55: 0, 0x76: 1}  # fmt: skip
_ESC_PARAMETERS = {0x40: 0, 0x74: 1, 0x52: 1, 0x3D: 1, 0x25: 1, 0x26: 3}


class PoleDisplayScreen:
    """What a 2×20 display shows after the bytes it was sent."""

    def __init__(self) -> None:
        self.unknown: list[bytes] = []
        self.brightness = 4
        self.cursor_shown = True
        self.initialise()

    def initialise(self) -> None:
        self.cells = [[" "] * COLUMNS for _ in range(ROWS)]
        self.row = self.column = 0
        self.mode = "overwrite"

    @property
    def lines(self) -> list[str]:
        return ["".join(row) for row in self.cells]

    def feed(self, buffer: bytes) -> bytes:
        """Take the complete commands and characters in `buffer`; what is left is the start
        of a command whose parameters have not all arrived."""
        at = 0
        while at < len(buffer):
            byte = buffer[at]
            if byte in (0x1B, 0x1F):
                table = _ESC_PARAMETERS if byte == 0x1B else _US_PARAMETERS
                if at + 1 >= len(buffer):
                    return buffer[at:]
                count = table.get(buffer[at + 1])
                if count is None:
                    self.unknown.append(buffer[at : at + 2])
                    at += 2
                    continue
                if at + 2 + count > len(buffer):
                    return buffer[at:]
                self._command(byte, buffer[at + 1], buffer[at + 2 : at + 2 + count])
                at += 2 + count
                continue
            self._byte(byte)
            at += 1
        return b""

    def _command(self, prefix: int, code: int, parameters: bytes) -> None:  # noqa: C901 - one branch per command, as in the command set's table
        if prefix == 0x1B:
            if code == 0x40:
                self.initialise()
            return
        if code in (0x01, 0x02, 0x03):
            self.mode = {0x01: "overwrite", 0x02: "vertical", 0x03: "horizontal"}[code]
        elif code == 0x24:
            column, row = parameters
            if 1 <= column <= COLUMNS and 1 <= row <= ROWS:  # out of range: ignored
                self.row, self.column = row - 1, column - 1
        elif code == 0x43 and parameters[0] in (0, 1, 0x30, 0x31):
            self.cursor_shown = parameters[0] in (1, 0x31)
        elif code == 0x58 and 1 <= parameters[0] <= 4:
            self.brightness = parameters[0]
        elif code == 0x0A:
            self.row = max(self.row - 1, 0)
        elif code == 0x0D:
            self.column = COLUMNS - 1
        elif code == 0x42:
            self.row, self.column = ROWS - 1, 0

    def _byte(self, byte: int) -> None:
        if byte == 0x0C:  # CLR
            self.cells = [[" "] * COLUMNS for _ in range(ROWS)]
            self.row = self.column = 0
        elif byte == 0x0B:  # HOM
            self.row = self.column = 0
        elif byte == 0x0D:  # CR
            self.column = 0
        elif byte == 0x0A:  # LF
            self._line_feed()
        elif byte == 0x08:  # BS
            if self.column:
                self.column -= 1
            elif self.row:
                self.row, self.column = self.row - 1, COLUMNS - 1
        elif byte == 0x09:  # HT
            self._advance()
        elif byte == 0x18:  # CAN: the cursor's line cleared
            self.cells[self.row] = [" "] * COLUMNS
            self.column = 0
        elif byte >= 0x20:
            self.cells[self.row][self.column] = bytes([byte]).decode("cp437")
            self._advance()

    def _advance(self) -> None:
        self.column += 1
        if self.column < COLUMNS:
            return
        self.column = 0
        self._line_feed()

    def _line_feed(self) -> None:
        if self.row < ROWS - 1:
            self.row += 1
        elif self.mode == "vertical":  # the upper line scrolls away
            self.cells = [*self.cells[1:], [" "] * COLUMNS]
        else:  # overwrite mode: back to the upper line
            self.row = 0


class PoleDisplaySimulator(PtyDevice):
    """A pole display at `path` (a pty behind a stable name); with `out`, what it shows is
    written to that file (its two lines) each time it changes, for someone to look at."""

    def __init__(self, path: Path, out: Path | None = None) -> None:
        self.screen = PoleDisplayScreen()
        self.out = out
        super().__init__(path)

    @property
    def lines(self) -> list[str]:
        return self.screen.lines

    def answer(self, buffer: bytes) -> bytes:
        before = self.screen.lines
        rest = self.screen.feed(buffer)
        if self.out is not None and self.screen.lines != before:
            tmp = self.out.with_name(self.out.name + ".new")
            tmp.write_text("\n".join(self.screen.lines) + "\n", encoding="utf-8")
            tmp.replace(self.out)
        return rest
