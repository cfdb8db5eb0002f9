"""ZVT over a serial line: the frame (DLE STX, DLE doubled, DLE ETX, CRC low byte first),
the CRC against the catalogue's check value of CRC-16/KERMIT (the CCITT polynomial,
reflected, start 0), ACK and NAK with a resend, and the driver paying on the simulated
terminal over a pty."""

from __future__ import annotations

import os
import threading
import tty
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.terminals import TerminalError, ZvtTerminal, open_terminal
from devices.terminals.simulator import ZvtSimulator
from devices.terminals.zvt_serial import (
    ACK_BYTE,
    NAK_BYTE,
    FramedLine,
    FrameError,
    crc16,
    frame,
    read_frame,
)


def test_the_crc_is_ccitt_reflected_from_zero() -> None:
    assert crc16(b"123456789") == 0x2189  # CRC-16/KERMIT's check value
    assert crc16(b"") == 0


def test_a_frame_is_laid_out_as_the_serial_transport_says() -> None:
    ack = frame(b"\x80\x00\x00")
    crc = crc16(b"\x80\x00\x00\x03")
    assert ack == b"\x10\x02\x80\x00\x00\x10\x03" + bytes([crc & 0xFF, crc >> 8])
    stuffed = frame(b"\x06\x01\x10\x04")
    assert stuffed[:8] == b"\x10\x02\x06\x01\x10\x10\x04\x10"  # the DLE in the data doubled
    assert read_frame(stuffed) == (b"\x06\x01\x10\x04", len(stuffed))


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"\x02\x10", "begins with DLE STX"),
        (b"\x10\x03", "begins with DLE STX"),
        (b"\x10\x02\x80\x10\x41", "DLE followed by 41"),
        (frame(b"\x80\x00\x00")[:-1] + b"\x00", "CRC is wrong"),
        (b"\x10\x02" + b"\x01" * 140_000, "longer than any"),
    ],
)
def test_what_is_not_a_frame_is_a_clear_error(raw: bytes, problem: str) -> None:
    with pytest.raises(FrameError, match=problem):
        read_frame(raw)


@given(st.binary(max_size=300))
def test_any_apdu_survives_its_frame(apdu: bytes) -> None:
    data = frame(apdu)
    assert read_frame(data) == (apdu, len(data))
    for cut in range(len(data)):
        assert read_frame(data[:cut]) is None  # incomplete: wait for the rest


@given(st.binary(max_size=300))
def test_any_bytes_are_a_frame_none_yet_or_a_clear_error(raw: bytes) -> None:
    try:
        found = read_frame(raw)
    except FrameError:
        return
    assert found is None or found[1] <= len(raw)


def test_a_frame_that_cannot_be_read_is_refused_and_sent_again() -> None:
    ours, theirs = os.openpty()
    tty.setraw(ours)
    tty.setraw(theirs)
    line = FramedLine(ours, timeout=2)
    good = frame(b"\x04\xff\x01\x0a")
    replies: list[bytes] = []

    def other_side() -> None:
        os.write(theirs, good[:-1] + bytes([good[-1] ^ 0xFF]))  # a byte spoiled on the way
        replies.append(os.read(theirs, 1))
        os.write(theirs, good)  # sent again
        replies.append(os.read(theirs, 1))

    thread = threading.Thread(target=other_side)
    thread.start()
    try:
        assert line.recv() == b"\x04\xff\x01\x0a"
        thread.join(timeout=5)
        assert replies == [NAK_BYTE, ACK_BYTE]
    finally:
        os.close(ours)
        os.close(theirs)


@pytest.fixture
def serial_terminal(tmp_path: Path) -> ZvtSimulator:
    simulator = ZvtSimulator(serial_path=tmp_path / "zvt0")
    yield simulator
    simulator.close()


def test_a_payment_over_the_serial_line(serial_terminal: ZvtSimulator) -> None:
    terminal = open_terminal("zvt", serial_terminal.address, payment_seconds=2)
    assert isinstance(terminal, ZvtTerminal) and terminal.serial_path
    assert terminal.status()
    prompts: list[str] = []
    outcome = terminal.pay(Decimal("12.50"), prompts.append)
    assert (outcome.state, outcome.amount, outcome.card_last4) == ("approved", Decimal("12.50"),
                                                                   "0011")  # fmt: skip
    assert prompts == ["insert card"] and outcome.customer_receipt[0] == "Customer copy"
    assert serial_terminal.errors == []


def test_the_line_dropped_after_charging_over_serial_is_charged_once(
    serial_terminal: ZvtSimulator,
) -> None:
    terminal = ZvtTerminal.at(serial_terminal.address, payment_seconds=1)
    serial_terminal.state.mode = "drop_after_approve"
    assert terminal.pay(Decimal("3.00")).state == "unknown"
    serial_terminal.state.mode = "approve"
    last = terminal.last_transaction()
    assert last is not None and (last.state, last.amount) == ("approved", Decimal("3.00"))
    assert len(serial_terminal.approved()) == 1
    assert terminal.end_of_day().amount == Decimal("3.00")


def test_a_serial_terminal_that_is_not_there(tmp_path: Path) -> None:
    with pytest.raises(TerminalError, match="cannot open the terminal's line"):
        ZvtTerminal.at(str(tmp_path / "nothing")).pay(Decimal("1.00"))
