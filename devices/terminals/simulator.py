"""A ZVT payment terminal on a TCP port, for tests and the demo. It answers registration,
authorisation, repeat receipt, reversal, refund, end of day and abort as a terminal does
(each message acknowledged, intermediate status while the customer pays, the status
information, the receipt as text blocks, completion), and on demand declines, times out
(never finishes), drops the line right after approving, or answers slowly. What it charged
is kept (`charges`), so that a test can count how many times a card was charged."""

from __future__ import annotations

import os
import pty
import socket
import threading
import time
import tty
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from devices.terminals import zvt
from devices.terminals.zvt_serial import FramedLine

TERMINAL_ID = 52500038
MASKED_PAN = bytes.fromhex("5413EEEEEEEE0011")  # Mastercard, hidden digits as E, last 4: 0011


@dataclass
class Charge:
    amount: Decimal
    receipt: int
    trace: int
    reversed: bool = False
    refund: bool = False
    asked_at: float = 0.0  # time.time() the terminal was asked
    told_at: float = 0.0  # time.time() the terminal sent its completion (0: never)


@dataclass
class TerminalState:
    # approve | decline | timeout (never finishes) | drop_after_approve (charges the card,
    # then the line drops before the till is told)
    mode: str = "approve"
    delay: float = 0.0  # seconds the customer takes (slow)
    decline_code: int = 0x05
    gone: bool = False  # switched off: a connection is taken and closed at once
    gone_after_drop: bool = False  # drop_after_approve, then switched off at once


@dataclass
class ZvtSimulator:
    """On a TCP port, or with `serial_path` on a pty reached by that name (ZVT's serial
    framing, as a terminal on RS-232)."""

    port: int = 0
    host: str = "127.0.0.1"
    state: TerminalState = field(default_factory=TerminalState)
    charges: list[Charge] = field(default_factory=list)
    received: list[zvt.Apdu] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    serial_path: Path | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._receipt = self._trace = 0
        self._last: bytes | None = None  # the last transaction's status information
        self._aborted = threading.Event()  # an abort (06 B0) came for the payment under way
        self.aborts = 0  # payments stopped by an abort before they charged
        self._server: socket.socket | None = None
        serve: Any = self._serve
        if self.serial_path is not None:
            self._master, self._slave = pty.openpty()
            tty.setraw(self._master)
            tty.setraw(self._slave)
            link = self.serial_path.with_name(self.serial_path.name + ".new")
            link.unlink(missing_ok=True)
            link.symlink_to(os.ttyname(self._slave))
            link.replace(self.serial_path)
            serve = self._serve_serial
        else:
            self._server = socket.create_server((self.host, self.port))
            self.port = self._server.getsockname()[1]
            self._server.settimeout(0.2)
        self._thread = threading.Thread(target=serve, daemon=True, name="zvt-sim")
        self._thread.start()

    @property
    def address(self) -> str:
        if self.serial_path is not None:
            return str(self.serial_path)
        return f"{self.host}:{self.port}"

    def approved(self) -> list[Charge]:
        with self._lock:
            return [c for c in self.charges if not c.reversed and not c.refund]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        if self._server is not None:
            self._server.close()
        if self.serial_path is not None:
            self.serial_path.unlink(missing_ok=True)
            for fd in (self._master, self._slave):
                try:
                    os.close(fd)
                except OSError:
                    pass

    def _serve_serial(self) -> None:
        """One line for good: a dialogue that ends (the line "dropped") is followed by the
        next one on the same line, its half-read frames forgotten."""
        while not self._stop.is_set():
            self._client(FramedLine(self._master))  # type: ignore[arg-type]

    def _serve(self) -> None:
        assert self._server is not None  # noqa: S101 - set up for TCP by __post_init__
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.state.gone:
                conn.close()
                continue
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    # One connection: commands in, the terminal's side of each dialogue out.

    def _client(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        buffer = bytearray()
        with conn:
            while not self._stop.is_set():
                apdu = self._next(conn, buffer)
                if apdu is None:
                    return
                if apdu.command in (b"\x80\x00", b"\x84\x00"):
                    continue  # a stray acknowledgement
                try:
                    if not self._answer(conn, buffer, apdu):
                        return
                except (OSError, zvt.ZvtError) as exc:
                    self.errors.append(str(exc))
                    return

    def _next(
        self, conn: socket.socket, buffer: bytearray, timeout: float = 3600
    ) -> zvt.Apdu | None:
        deadline = time.monotonic() + timeout
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                found = zvt.read_apdu(buffer)
            except zvt.ZvtError as exc:
                self.errors.append(str(exc))
                return None
            if found is not None:
                apdu, used = found
                del buffer[:used]
                self.received.append(apdu)
                return apdu
            if len(buffer) > zvt.MAX_APDU:
                self.errors.append("an APDU longer than any")
                return None
            try:
                data = conn.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return None
            if not data:
                return None
            buffer += data
        return None

    def _send(self, conn: socket.socket, buffer: bytearray, apdu: zvt.Apdu) -> bool:
        """Send a message and wait for the till's acknowledgement (80 00 00)."""
        conn.sendall(apdu.encode())
        ack = self._next(conn, buffer, timeout=5)
        if ack is None or ack.command != b"\x80\x00":
            self.errors.append(f"no acknowledgement of {apdu}")
            return False
        return True

    def _answer(self, conn: socket.socket, buffer: bytearray, apdu: zvt.Apdu) -> bool:
        command = apdu.command
        if command not in (zvt.REGISTRATION, zvt.AUTHORISATION, zvt.REPEAT_RECEIPT,
                           zvt.REVERSAL, zvt.REFUND, zvt.END_OF_DAY, zvt.ABORT,
                           zvt.STATUS_ENQUIRY):  # fmt: skip
            conn.sendall(b"\x84\x83\x00")  # function not possible
            return True
        conn.sendall(zvt.ACK)
        if command == zvt.ABORT:
            self._aborted.set()  # the payment being taken stops before it charges
            return True
        if command in (zvt.REGISTRATION, zvt.STATUS_ENQUIRY):
            return self._send(conn, buffer, zvt.Apdu(zvt.COMPLETION))
        if command == zvt.REPEAT_RECEIPT:
            if self._last is None:
                return self._send(conn, buffer, zvt.Apdu(zvt.ABORT_FROM_PT, b"\x83"))
            return self._finish(conn, buffer, self._last)
        if command == zvt.END_OF_DAY:
            return self._end_of_day(conn, buffer)
        fields = dict(zvt.parse_bmps(apdu.data[3:] if command != zvt.AUTHORISATION else apdu.data))
        if command == zvt.REVERSAL:
            return self._reversal(conn, buffer, int(zvt.from_bcd(fields.get(0x87, b"\x00\x00"))))
        return self._charge(
            conn, buffer, command, Decimal(int(zvt.from_bcd(fields[0x04]))).scaleb(-2)
        )

    def _charge(self, conn: socket.socket, buffer: bytearray, command: bytes, amount: Decimal
                ) -> bool:  # fmt: skip
        """An authorisation or a refund: the customer at the terminal, then the outcome."""
        asked_at = time.time()
        self._aborted.clear()
        if not self._send(conn, buffer, zvt.Apdu(zvt.INTERMEDIATE_STATUS, b"\x0a")):  # insert card
            return False
        if self.state.delay and self._aborted.wait(self.state.delay):
            self.aborts += 1
            return self._send(conn, buffer, zvt.Apdu(zvt.ABORT_FROM_PT, b"\x6c"))
        if self.state.mode == "timeout" and command == zvt.AUTHORISATION:
            self._next(conn, buffer)  # the customer never comes: until the till gives up
            return False
        if self.state.mode == "decline" and command == zvt.AUTHORISATION:
            declined = zvt.Apdu(zvt.ABORT_FROM_PT, bytes([self.state.decline_code]))
            return self._send(conn, buffer, declined)
        with self._lock:
            self._receipt, self._trace = self._receipt + 1, self._trace + 1
            charge = Charge(amount, self._receipt, self._trace, refund=command == zvt.REFUND,
                            asked_at=asked_at)  # fmt: skip
            self.charges.append(charge)
            self._last = info = self._status(amount, self._receipt, self._trace)
        if self.state.mode == "drop_after_approve" and command == zvt.AUTHORISATION:
            self.state.gone = self.state.gone or self.state.gone_after_drop
            return False  # charged, and the line drops before the till is told
        return self._finish(conn, buffer, info, charge)

    def _status(self, amount: Decimal, receipt: int, trace: int, result: int = 0) -> bytes:
        now = datetime.now().astimezone()  # the terminal's own clock
        return (b"\x27" + bytes([result]) + b"\x04" + zvt.amount_bcd(amount)
                + b"\x0b" + zvt.bcd(trace, 3) + b"\x0c" + zvt.bcd(int(now.strftime("%H%M%S")), 3)
                + b"\x0d" + zvt.bcd(int(now.strftime("%m%d")), 2)
                + b"\x22" + zvt.llvar(MASKED_PAN) + b"\x29" + zvt.bcd(TERMINAL_ID, 4)
                + b"\x87" + zvt.bcd(receipt, 2) + b"\x88" + zvt.bcd(trace, 3)
                + b"\x8a\x06" + b"\x8b" + zvt.llvar(b"Mastercard"))  # fmt: skip

    def _finish(self, conn: socket.socket, buffer: bytearray, info: bytes,
                charge: Charge | None = None) -> bool:  # fmt: skip
        if not self._send(conn, buffer, zvt.Apdu(zvt.STATUS_INFORMATION, info)):
            return False
        parsed = zvt.status_information(info)
        for kind, title in ((2, "Customer copy"), (1, "Merchant copy")):
            lines = [title, "Mastercard", f"Terminal {parsed.terminal_id}",
                     f"Trace {parsed.trace} Receipt {parsed.receipt}",
                     f"Card ************{parsed.card_last4}",
                     f"Amount EUR {parsed.amount}", "Payment approved"]  # fmt: skip
            block = zvt.tlv(b"\x25", b"".join(zvt.tlv(b"\x07", line.encode()) for line in lines))
            block = zvt.tlv(b"\x1f\x07", bytes([kind])) + block
            if not self._send(conn, buffer, zvt.Apdu(zvt.PRINT_TEXT_BLOCK, zvt.container(block))):
                return False
        if charge is not None:  # stamped before the till can see it, so never read unset
            charge.told_at = time.time()
        if self._send(conn, buffer, zvt.Apdu(zvt.COMPLETION)):
            return True
        if charge is not None:
            charge.told_at = 0.0
        return False

    def _reversal(self, conn: socket.socket, buffer: bytearray, receipt: int) -> bool:
        with self._lock:
            charge = next((c for c in self.charges if c.receipt == receipt and not c.reversed
                           and not c.refund), None)  # fmt: skip
            if charge is None:
                info = None
            else:
                charge.reversed = True
                self._trace += 1
                info = self._status(charge.amount, receipt, self._trace)
        if info is None:
            return self._send(conn, buffer, zvt.Apdu(zvt.ABORT_FROM_PT, b"\x64"))
        return self._finish(conn, buffer, info)

    def _end_of_day(self, conn: socket.socket, buffer: bytearray) -> bool:
        with self._lock:
            paid = sum((c.amount for c in self.charges if not c.reversed and not c.refund),
                       Decimal(0))  # fmt: skip
            total = paid - sum((c.amount for c in self.charges if c.refund), Decimal(0))
            self.charges.clear()
            self._trace += 1
        info = (
            b"\x27\x00"
            + b"\x04"
            + zvt.amount_bcd(max(total, Decimal(0)))
            + b"\x0b"
            + zvt.bcd(self._trace, 3)
            + b"\x29"
            + zvt.bcd(TERMINAL_ID, 4)
        )
        if not self._send(conn, buffer, zvt.Apdu(zvt.STATUS_INFORMATION, info)):
            return False
        return self._send(conn, buffer, zvt.Apdu(zvt.COMPLETION))
