"""The line to a receipt printer: raw TCP (port 9100), a USB printer's character device
(/dev/usb/lp0) or a serial port, each with timeouts, so that a printer that is away never
holds its caller."""

from __future__ import annotations

import os
import select
import socket
import time
from dataclasses import dataclass
from typing import Protocol

import serial

from devices.printers.commands import (
    STATUS_REQUESTS,
    PrinterError,
    PrinterNoAnswer,
    PrinterNotReady,
    PrinterStatus,
    status_of,
    status_request,
)

RAW_PORT = 9100


class Line(Protocol):
    def write(self, data: bytes) -> None: ...
    def read_byte(self, timeout: float) -> int | None: ...
    def drain(self) -> None: ...
    def close(self) -> None: ...


class TcpLine:
    def __init__(self, host: str, port: int, timeout: float) -> None:
        try:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:
            raise PrinterError(f"cannot reach the printer at {host}:{port}: {exc}") from exc
        self.sock.settimeout(timeout)

    def write(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise PrinterError(f"the printer's connection failed: {exc}") from exc

    def read_byte(self, timeout: float) -> int | None:
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            return None
        try:
            data = self.sock.recv(1)
        except OSError as exc:
            raise PrinterError(f"the printer's connection failed: {exc}") from exc
        if not data:
            raise PrinterError("the printer closed the connection")
        return data[0]

    def drain(self) -> None:
        while select.select([self.sock], [], [], 0)[0]:
            if not self.sock.recv(256):
                raise PrinterError("the printer closed the connection")

    def close(self) -> None:
        self.sock.close()


class DeviceLine:
    """A USB printer's character device: written and read like a file."""

    def __init__(self, path: str) -> None:
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY)
        except OSError as exc:
            raise PrinterError(f"cannot open {path}: {exc.strerror}") from exc
        self.path = path

    def write(self, data: bytes) -> None:
        view, deadline = memoryview(data), time.monotonic() + 10
        while view:
            try:
                view = view[os.write(self.fd, view) :]
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise PrinterError(f"{self.path} takes nothing: is the printer on?") from None
                select.select([], [self.fd], [], 0.1)
            except OSError as exc:
                raise PrinterError(f"{self.path}: {exc.strerror}") from exc

    def read_byte(self, timeout: float) -> int | None:
        if not select.select([self.fd], [], [], timeout)[0]:
            return None
        try:
            data = os.read(self.fd, 1)
        except BlockingIOError:
            return None
        except OSError as exc:
            raise PrinterError(f"{self.path}: {exc.strerror}") from exc
        return data[0] if data else None

    def drain(self) -> None:
        while select.select([self.fd], [], [], 0)[0]:
            try:
                if not os.read(self.fd, 256):
                    return
            except (BlockingIOError, OSError):
                return

    def close(self) -> None:
        os.close(self.fd)


class SerialLine:
    def __init__(self, path: str, baudrate: int) -> None:
        try:
            self.port = serial.Serial(path, baudrate=baudrate, timeout=0, write_timeout=10)
        except (serial.SerialException, OSError) as exc:
            raise PrinterError(f"cannot open {path}: {exc}") from exc

    def write(self, data: bytes) -> None:
        try:
            self.port.write(data)
            self.port.flush()
        except (serial.SerialException, OSError) as exc:
            raise PrinterError(f"{self.port.port}: {exc}") from exc

    def read_byte(self, timeout: float) -> int | None:
        self.port.timeout = timeout
        try:
            data = self.port.read(1)
        except (serial.SerialException, OSError) as exc:
            raise PrinterError(f"{self.port.port}: {exc}") from exc
        return data[0] if data else None

    def drain(self) -> None:
        self.port.reset_input_buffer()

    def close(self) -> None:
        self.port.close()


@dataclass
class ReceiptPrinter:
    """An ESC/POS printer on its line: prints what it is sent and says how it is."""

    line: Line
    timeout: float = 1.0

    def status(self) -> PrinterStatus:
        self.line.drain()
        answers = []
        for n in STATUS_REQUESTS:
            self.line.write(status_request(n))
            byte = self.line.read_byte(self.timeout)
            if byte is None:
                raise PrinterNoAnswer(f"the printer did not answer DLE EOT {n}")
            answers.append(byte)
        return status_of(*answers)

    def send(self, data: bytes) -> PrinterStatus:
        """Print `data` if the printer can; its status after. PrinterNotReady (with the
        reason the cashier is told) if it cannot: then nothing was sent, or the paper ran
        out during it; another PrinterError if the line to it broke."""
        before = self.status()
        if not before.can_print:
            raise PrinterNotReady(before)
        self.line.write(data)
        after = self.status()
        if not after.can_print:  # the paper ran out during the job: it is not all there
            raise PrinterNotReady(after)
        return after

    def close(self) -> None:
        self.line.close()


def open_printer(port: str, *, timeout: float = 1.0, baudrate: int | None = None) -> ReceiptPrinter:
    """The printer at `port`: host:port (raw TCP, 9100 by default), a USB printer's device
    (/dev/usb/lp0) or a serial port (/dev/ttyUSB0, 38400 baud by default)."""
    if port.startswith("/dev/usb/") or port.startswith("/dev/lp"):
        return ReceiptPrinter(DeviceLine(port), timeout)
    if port.startswith("/"):
        return ReceiptPrinter(SerialLine(port, baudrate or 38400), timeout)
    host, _, number = port.rpartition(":")
    if not host:
        host, number = port, str(RAW_PORT)
    if not number.isdigit() or not 0 < int(number) < 65536:
        raise PrinterError(f"{port!r} is not host:port, a /dev/usb/lp device or a serial port")
    return ReceiptPrinter(TcpLine(host.strip("[]"), int(number), timeout), timeout)
