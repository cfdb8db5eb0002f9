"""Payment terminals: the till sends the amount, the terminal charges the card and says how
it went. One interface (`Terminal`: pay, refund, reverse, the last transaction, end of day,
status) over two protocols: ZVT over TCP (`zvt`, `ZvtTerminal`) and nexo Sale-to-POI JSON
over HTTPS (`nexo`, `NexoTerminal`), each with its simulator.

A payment's outcome is approved, declined, or unknown: the line dropped, the terminal
rebooted or its answer timed out after the card may have been charged. An unknown outcome
is resolved with the terminal's own record of its last transaction (`last_transaction`)
before anything else happens at the lane, so that a card is never charged twice and no
payment is lost.
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

import serial

from devices.terminals import zvt
from devices.terminals.zvt_serial import FramedLine

DEFAULT_PORT = 20007
ACK_SECONDS = 5.0  # a terminal acknowledges a command at once
PAYMENT_SECONDS = 120.0  # a customer may take this long at the terminal


class TerminalError(Exception):
    """The terminal cannot be reached: nothing was sent, nothing was charged."""


class TerminalProtocolError(TerminalError):
    """The terminal answered something that is not ZVT."""


@dataclass
class Outcome:
    """What a payment (or refund, reversal) came to at the terminal."""

    state: str  # approved | declined | unknown
    amount: Decimal
    message: str = ""  # why declined or unknown, for the cashier
    reference: str = ""  # terminal, trace and receipt numbers
    receipt_number: str = ""
    card_type: str = ""
    card_last4: str = ""
    customer_receipt: list[str] = field(default_factory=list)
    merchant_receipt: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"state": self.state, "amount": str(self.amount), "message": self.message,
                "reference": self.reference, "receipt_number": self.receipt_number,
                "card_type": self.card_type, "card_last4": self.card_last4,
                "customer_receipt": self.customer_receipt,
                "merchant_receipt": self.merchant_receipt}  # fmt: skip


Prompt = Callable[[str], None]


class Terminal(Protocol):
    """What the till asks of a terminal, whatever it speaks."""

    def pay(self, amount: Decimal, on_prompt: Prompt | None = None) -> Outcome: ...
    def refund(self, amount: Decimal, on_prompt: Prompt | None = None) -> Outcome: ...
    def reverse(self, receipt_number: str, amount: Decimal) -> Outcome: ...
    def last_transaction(self) -> Outcome | None: ...
    def end_of_day(self) -> Outcome: ...
    def status(self) -> bool: ...


def open_terminal(protocol: str, port: str, **options: Any) -> Terminal:
    """The terminal a lane device describes: `zvt` at host:port or on a serial port, `nexo`
    at its URL (with its `poi_id`)."""
    if protocol == "zvt":
        wanted = ("connect_timeout", "payment_seconds", "baudrate")
        return ZvtTerminal.at(port, **{k: v for k, v in options.items() if k in wanted and v})
    if protocol == "nexo":
        from devices.terminals.nexo import NexoTerminal

        return NexoTerminal.at(port, str(options.pop("poi_id", "")), **options)
    raise TerminalError(f"no terminal protocol {protocol!r}")


class _Unknown(Exception):
    """The dialogue broke after the command was sent: the outcome is not known."""


@dataclass
class ZvtTerminal:
    """A ZVT terminal at host:port, or on a serial port (/dev/ttyUSB0: 9600 8N2, each APDU
    framed as `zvt_serial` says). Each transaction is one connection: register, send,
    then acknowledge each message the terminal sends until it completes or aborts."""

    host: str
    port: int = DEFAULT_PORT
    serial_path: str = ""
    baudrate: int = 9600
    password: int = 0
    connect_timeout: float = 3.0
    payment_seconds: float = PAYMENT_SECONDS

    @classmethod
    def at(cls, address: str, **options: Any) -> ZvtTerminal:
        if address.startswith("/"):
            return cls("", 0, serial_path=address, **options)
        host, _, port = address.rpartition(":")
        if not host:
            host, port = address, str(DEFAULT_PORT)
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise TerminalError(f"{address!r} is not host:port")
        return cls(host.strip("[]"), int(port), **options)

    def pay(self, amount: Decimal, on_prompt: Prompt | None = None) -> Outcome:
        return self._stopped(self._transaction(zvt.authorisation(amount), amount, on_prompt))

    def refund(self, amount: Decimal, on_prompt: Prompt | None = None) -> Outcome:
        return self._stopped(
            self._transaction(zvt.refund(self.password, amount), amount, on_prompt)
        )

    def abort(self) -> None:
        """Stop the payment the terminal is taking (06 B0): one whose answer the till gave
        up on may still be waiting for the card, and must not charge it later."""
        sock = self._connect()
        line = _Line(sock)
        try:
            line.send(zvt.abort())
            line.read(ACK_SECONDS)
        except _Unknown:
            pass
        finally:
            sock.close()

    def _stopped(self, outcome: Outcome) -> Outcome:
        if outcome.state == "unknown":
            try:
                self.abort()
            except TerminalError:
                pass  # away: its last transaction says what came of it
        return outcome

    def reverse(self, receipt_number: str, amount: Decimal) -> Outcome:
        if not receipt_number.isdigit() or len(receipt_number) > 4:
            raise TerminalError(f"{receipt_number!r} is not a ZVT receipt number")
        return self._transaction(zvt.reversal(self.password, int(receipt_number)), amount, None)

    def last_transaction(self) -> Outcome | None:
        """The terminal's record of its last transaction (repeat receipt), None if it has
        none. TerminalError if it cannot be asked."""
        try:
            outcome = self._transaction(zvt.repeat_receipt(self.password), None, None,
                                        deadline=30)  # fmt: skip
        except TerminalError:
            raise
        if outcome.state == "unknown":
            raise TerminalError(f"the terminal did not say: {outcome.message}")
        return None if outcome.state == "declined" else outcome

    def end_of_day(self) -> Outcome:
        """Close the terminal's day: its total since the last end of day."""
        return self._transaction(zvt.end_of_day(self.password), None, None, deadline=180)

    def status(self) -> bool:
        """Whether the terminal answers and is ready (status enquiry)."""
        outcome = self._transaction(zvt.Apdu(zvt.STATUS_ENQUIRY, zvt.bcd(self.password, 3)),
                                    None, None, deadline=15)  # fmt: skip
        return outcome.state != "unknown"

    # The dialogue ------------------------------------------------------------------------

    def _transaction(self, command: zvt.Apdu, amount: Decimal | None, on_prompt: Prompt | None,
                     *, deadline: float | None = None) -> Outcome:  # fmt: skip
        sock = self._connect()
        line = _Line(sock)
        try:
            self._register(line)
            return self._converse(line, command, amount or Decimal(0), on_prompt,
                                  deadline or self.payment_seconds)  # fmt: skip
        finally:
            sock.close()

    def _connect(self) -> socket.socket | FramedLine:
        if self.serial_path:
            try:
                port = serial.Serial(self.serial_path, baudrate=self.baudrate, bytesize=8,
                                     parity="N", stopbits=2, timeout=0)  # fmt: skip
            except (serial.SerialException, OSError, ValueError) as exc:
                raise TerminalError(f"cannot open the terminal's line {self.serial_path}: {exc}"
                                    ) from exc  # fmt: skip
            return FramedLine(port.fileno(), owner=port)
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except OSError as exc:
            raise TerminalError(
                f"cannot reach the terminal at {self.host}:{self.port}: {exc}"
            ) from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _register(self, line: _Line) -> None:
        """Registration (06 00): nothing is charged yet, so a failure here is an error."""
        line.send(zvt.registration(self.password))
        try:
            reply = line.read(ACK_SECONDS)
            if reply.command != b"\x80\x00":
                raise TerminalError(f"the terminal refused registration ({reply})")
            while (message := line.read(ACK_SECONDS)).command != zvt.COMPLETION:
                line.send_ack()
                if message.command == zvt.ABORT_FROM_PT:
                    raise TerminalError("the terminal refused registration")
            line.send_ack()
        except _Unknown as exc:
            raise TerminalError(f"the terminal did not register: {exc}") from exc

    def _converse(self, line: _Line, command: zvt.Apdu, amount: Decimal,  # noqa: C901, PLR0912 - one branch per message
                  on_prompt: Prompt | None, seconds: float) -> Outcome:  # fmt: skip
        line.send(command)
        outcome = Outcome("unknown", amount)
        info: zvt.StatusInformation | None = None
        try:
            reply = line.read(ACK_SECONDS)
            if reply.command == b"\x84\x00" or reply.command[:1] == b"\x84":
                code = reply.command[1]
                return Outcome("declined", amount, f"the terminal refused: {zvt.result_text(code)}")
            if reply.command != b"\x80\x00":
                raise _Unknown(f"no acknowledgement but {reply}")
            ends = time.monotonic() + seconds
            while True:
                message = line.read(max(0.1, ends - time.monotonic()))
                if message.command in (b"\x80\x00",):
                    continue
                line.send_ack()
                if message.command == zvt.INTERMEDIATE_STATUS:
                    if on_prompt and message.data:
                        on_prompt(zvt.PROMPTS.get(message.data[0], "please wait"))
                elif message.command == zvt.STATUS_INFORMATION:
                    info = zvt.status_information(message.data)
                elif message.command in (zvt.PRINT_LINE, zvt.PRINT_TEXT_BLOCK):
                    kind, lines = zvt.print_lines(message)
                    target = (
                        outcome.merchant_receipt if kind == "merchant" else outcome.customer_receipt
                    )
                    target.extend(lines)
                elif message.command == zvt.ABORT_FROM_PT:
                    code = message.data[0] if message.data else 0xFF
                    outcome.state, outcome.message = "declined", zvt.result_text(code)
                    return outcome
                elif message.command == zvt.COMPLETION:
                    break
        except _Unknown as exc:
            outcome.message = str(exc)
            if info is not None:  # the outcome was told, its completion not
                _told(outcome, info)
                outcome.message = f"{exc} (after the terminal's answer)"
            return outcome
        except zvt.ZvtError as exc:
            outcome.message = f"the terminal sent what is not ZVT: {exc}"
            return outcome
        if info is None:
            outcome.state, outcome.message = "approved", ""
            return outcome
        _told(outcome, info)
        return outcome


def _told(outcome: Outcome, info: zvt.StatusInformation) -> None:
    outcome.state = "approved" if info.approved else "declined"
    outcome.message = "" if info.approved else zvt.result_text(info.result)
    outcome.reference = info.reference
    outcome.receipt_number = info.receipt
    outcome.card_type, outcome.card_last4 = info.card_type, info.card_last4
    if info.amount is not None:
        outcome.amount = info.amount


class _Line:
    """A terminal's TCP connection: APDUs out, APDUs in with a deadline."""

    def __init__(self, sock: socket.socket | FramedLine) -> None:
        self.sock = sock
        self.buffer = bytearray()

    def send(self, apdu: zvt.Apdu) -> None:
        try:
            self.sock.sendall(apdu.encode())
        except OSError as exc:
            raise TerminalError(f"the terminal's line broke: {exc}") from exc

    def send_ack(self) -> None:
        try:
            self.sock.sendall(zvt.ACK)
        except OSError as exc:
            raise _Unknown(f"the terminal's line broke: {exc}") from exc

    def read(self, seconds: float) -> zvt.Apdu:
        ends = time.monotonic() + seconds
        while True:
            found = zvt.read_apdu(self.buffer)
            if found is not None:
                apdu, used = found
                del self.buffer[:used]
                return apdu
            left = ends - time.monotonic()
            if left <= 0:
                raise _Unknown("the terminal did not answer in time")
            try:
                ready = select.select([self.sock], [], [], left)[0]
                data = self.sock.recv(4096) if ready else None
            except OSError as exc:
                raise _Unknown(f"the terminal's line broke: {exc}") from exc
            if data is None:
                continue
            if not data:
                raise _Unknown("the terminal closed the line")
            self.buffer += data
            if len(self.buffer) > zvt.MAX_APDU:
                raise zvt.ZvtError("an APDU longer than any")
