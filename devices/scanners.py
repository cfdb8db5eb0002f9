"""Serial barcode scanners: CR/LF framing, an optional prefix and suffix, AIM identifiers
kept for the parser, and reconnection with backoff when the scanner is unplugged."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import serial

from devices.scales.drivers import SerialSettings, open_serial
from devices.scales.reading import ScaleError

MAX_LINE = 256


@dataclass(frozen=True)
class ScannerSettings:
    port: str
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: int = 1
    prefix: str = ""
    suffix: str = ""
    backoff_max: float = 10.0


@dataclass
class DeviceHealth:
    connected: bool = False
    last_seen: float | None = None
    errors: int = 0
    last_error: str = ""
    reads: int = 0

    def as_json(self) -> dict[str, object]:
        return {"connected": self.connected, "last_seen": self.last_seen, "errors": self.errors,
                "last_error": self.last_error, "reads": self.reads}  # fmt: skip


@dataclass
class SerialScanner:
    """Reads codes from a serial scanner until stopped, reopening the port as needed."""

    settings: ScannerSettings
    on_code: Callable[[str], None]
    health: DeviceHealth = field(default_factory=DeviceHealth)

    def run(self, stop: threading.Event) -> None:
        backoff = 0.25
        while not stop.is_set():
            try:
                port = open_serial(SerialSettings(self.settings.port, self.settings.baudrate,
                                                  self.settings.bytesize, self.settings.parity,
                                                  self.settings.stopbits, timeout=0.2))  # fmt: skip
            except ScaleError as exc:
                self._failed(str(exc))
                stop.wait(backoff)
                backoff = min(backoff * 2, self.settings.backoff_max)
                continue
            self.health.connected, backoff = True, 0.25
            try:
                self._read(port, stop)
            except (serial.SerialException, OSError) as exc:
                self._failed(f"the scanner on {self.settings.port} went away: {exc}")
            finally:
                port.close()
        self.health.connected = False

    def _read(self, port: serial.Serial, stop: threading.Event) -> None:
        buffer = b""
        while not stop.is_set():
            buffer += port.read(port.in_waiting or 1)
            while True:
                cut = min((i for i in (buffer.find(b"\r"), buffer.find(b"\n")) if i >= 0),
                          default=-1)  # fmt: skip
                if cut < 0:
                    break
                line, buffer = buffer[:cut], buffer[cut + 1 :]
                self._line(line)
            if len(buffer) > MAX_LINE:  # no terminator in sight: noise, not a code
                self._failed(f"discarded {len(buffer)} bytes without a line end")
                buffer = b""

    def _line(self, line: bytes) -> None:
        text = line.decode("latin-1")
        if self.settings.prefix and text.startswith(self.settings.prefix):
            text = text[len(self.settings.prefix) :]
        if self.settings.suffix and text.endswith(self.settings.suffix):
            text = text[: -len(self.settings.suffix)]
        if text.strip():
            self.health.last_seen, self.health.reads = time.time(), self.health.reads + 1
            self.on_code(text)

    def _failed(self, message: str) -> None:
        self.health.connected = False
        self.health.errors += 1
        self.health.last_error = message
