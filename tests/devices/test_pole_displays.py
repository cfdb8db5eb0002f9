"""Pole displays: the Epson customer display command set as a 2×20 VFD takes it (frames
from the command set's table, not only our driver's), the driver's screens on a pty, and
hostile text and bytes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.__main__ import main
from devices.displays import (
    COLUMNS,
    DisplayError,
    PoleDisplay,
    brightness,
    centred,
    fit,
    plain,
    screen,
    start,
    two_columns,
)
from devices.displays.simulator import PoleDisplayScreen, PoleDisplaySimulator
from tests.store_edge.conftest import wait_until

BLANK = " " * COLUMNS


def shown(data: bytes) -> list[str]:
    display = PoleDisplayScreen()
    assert display.feed(data) == b""
    return display.lines


# Frames as the command set's table writes them: ESC @ initialise, CLR (0C), HOM (0B),
# CR, LF, BS, HT, CAN (18), US MD1/MD2 (1F 01/02), US $ n m (1F 24 column line), US X n.
@pytest.mark.parametrize(
    ("frame", "lines"),
    [
        (b"\x1b\x40HELLO", ["HELLO".ljust(20), BLANK]),
        (b"\x1b\x40\x1f\x01HELLO\x1f\x24\x01\x02WORLD", ["HELLO".ljust(20), "WORLD".ljust(20)]),
        (b"ABC\x0cXY", ["XY".ljust(20), BLANK]),  # CLR clears and goes home
        (b"ABCDEF\x0bZ", ["ZBCDEF".ljust(20), BLANK]),  # HOM: home, no clear
        (b"ABCDEF\x0dZ", ["ZBCDEF".ljust(20), BLANK]),  # CR: start of the line
        (b"AB\x0aCD", ["AB".ljust(20), "  CD".ljust(20)]),  # LF: down a line, same column
        (b"ABC\x08Z", ["ABZ".ljust(20), BLANK]),  # BS: one left
        (b"A\x09B", ["A B".ljust(20), BLANK]),  # HT: one right
        (b"ABC\x1f\x24\x01\x02DEF\x18G", ["ABC".ljust(20), "G".ljust(20)]),  # CAN: line cleared
        (b"X" * 20 + b"Y", ["X" * 20, "Y".ljust(20)]),  # the end of the upper line: the lower
        (b"\x1f\x01" + b"X" * 40 + b"Z", ["Z" + "X" * 19, "X" * 20]),  # MD1: back to the top
        (b"\x1f\x02" + b"X" * 20 + b"Y" * 20 + b"Z", ["Y" * 20, "Z".ljust(20)]),  # MD2 scrolls
        (b"\x1f\x24\x14\x02!", [BLANK, " " * 19 + "!"]),  # column 20, line 2
        (b"\x1f\x24\x15\x01!\x1f\x24\x01\x03?", ["!?".ljust(20), BLANK]),  # out of range: ignored
        (b"\x1f\x58\x02\x1f\x43\x00OK", ["OK".ljust(20), BLANK]),  # brightness, cursor: no text
        (b"\x1b\x74\x00caf\x82", ["café".ljust(20), BLANK]),  # code page 437
    ],
)
def test_the_display_shows_what_the_command_set_says(frame: bytes, lines: list[str]) -> None:
    assert shown(frame) == lines


def test_a_command_cut_between_two_reads_waits_for_its_parameters() -> None:
    display = PoleDisplayScreen()
    assert display.feed(b"AB\x1f\x24\x01") == b"\x1f\x24\x01"
    assert display.feed(b"\x1f\x24\x01\x02CD") == b""
    assert display.lines == ["AB".ljust(20), "CD".ljust(20)]


def test_the_drivers_screen_writes_both_lines_in_place() -> None:
    data = screen("Sparkling water 1 l", "Total 0.79")
    assert data == (b"\x1f\x24\x01\x01Sparkling water 1 l \x1f\x24\x01\x02Total 0.79          ")
    assert b"\x0c" not in data  # never cleared first: no flicker between two scans
    assert shown(start() + data) == ["Sparkling water 1 l ", "Total 0.79".ljust(20)]
    assert start() == b"\x1b\x40\x1f\x01\x1f\x43\x00\x0c"
    assert brightness(2) == b"\x1f\x58\x02"
    with pytest.raises(ValueError):
        brightness(5)


def test_an_amount_always_shows_whole_and_text_is_made_displayable() -> None:
    assert two_columns("Extra long product name of a brand", "12.34") == "Extra long pro 12.34"
    assert two_columns("Total", "1234.56") == "Total        1234.56"
    assert two_columns("x", "9" * 30) == "9" * 20
    assert centred("Thank you") == "     Thank you      "
    assert plain("Crème brûlée 2 €") == "Creme brulee 2 EUR"
    assert plain("Straße\x1b@\x0c\x1f$\x01\x02") == "Strasse @  $  "  # no command gets through
    assert fit("") == BLANK


@given(st.text(max_size=200), st.text(max_size=200))
def test_any_text_shows_as_laid_out_and_nothing_else(top: str, bottom: str) -> None:
    data = screen(top, bottom)
    assert shown(data) == [fit(top), fit(bottom)]
    assert [b for b in data if b < 0x20 and b not in (0x1F, 0x01, 0x02, 0x24)] == []


@given(st.binary(max_size=400), st.integers(min_value=0, max_value=400))
def test_any_bytes_leave_two_lines_of_twenty_however_they_are_cut(data: bytes, cut: int) -> None:
    whole = PoleDisplayScreen()
    rest = whole.feed(data)
    assert len(rest) <= 4 and len(whole.lines) == 2
    assert all(len(line) == COLUMNS for line in whole.lines)
    parts = PoleDisplayScreen()
    left = parts.feed(data[:cut])
    assert parts.feed(left + data[cut:]) == rest
    assert parts.lines == whole.lines


def test_the_driver_on_a_serial_line_and_a_display_unplugged(tmp_path: Path) -> None:
    link = tmp_path / "display0"
    simulator = PoleDisplaySimulator(link)
    display = PoleDisplay.open(str(link))
    try:
        display.show("Bananas 1.234 kg", "Total 2.46")
        wait_until(lambda: simulator.lines == [fit("Bananas 1.234 kg"), fit("Total 2.46")])
        simulator.unplug()
        with pytest.raises(DisplayError):
            for _ in range(50):  # the pty's buffer takes a little before the line fails
                display.show("Nobody", "sees this")
                time.sleep(0.02)
    finally:
        display.close()
        simulator.close()
    with pytest.raises(DisplayError, match="cannot open"):
        PoleDisplay.open(str(tmp_path / "nothing"))
    with pytest.raises(DisplayError, match="not a serial port"):
        PoleDisplay.open("10.0.0.1:9100")


def test_the_cli_shows_two_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link, out = tmp_path / "display0", tmp_path / "shown.txt"
    simulator = PoleDisplaySimulator(link, out=out)
    try:
        assert main(["display", "show", "--port", str(link), "Welcome", "Lane 1"]) == 0
        assert json.loads(capsys.readouterr().out)["shown"] == [fit("Welcome"), fit("Lane 1")]
        wait_until(lambda: simulator.lines == [fit("Welcome"), fit("Lane 1")])
        wait_until(lambda: out.exists() and out.read_text().splitlines() == simulator.lines)
    finally:
        simulator.close()
    assert main(["display", "show", "--port", str(tmp_path / "gone"), "x"]) == 3
