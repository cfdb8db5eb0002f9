"""Devices for tests and the demo: serial scales and a scanner on pseudo-terminals, and a
Modbus weighing indicator on pymodbus' own server.

A serial simulator answers on a pty whose slave is reached through a stable symlink, so
that unplugging (the pty goes away) and replugging (a new pty behind the same name) look
to a driver as they do with a USB adapter. Faults on demand: motion, over capacity, under
zero, garbage, a partial frame, silence.
"""

from __future__ import annotations

import asyncio
import os
import pty
import select
import threading
import tty
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from devices.scales.drivers import RegisterMap


@dataclass
class ScaleState:
    weight: Decimal = Decimal("0.000")
    motion: bool = False
    over: bool = False
    under: bool = False
    garbage: bool = False
    partial: bool = False
    silent: bool = False


class PtyDevice:
    """A pseudo-terminal device reachable at `path` (a symlink), with unplug and replug."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._master = -1
        self._slave = -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.plug()

    def plug(self) -> None:
        self._master, self._slave = pty.openpty()
        tty.setraw(self._master)
        tty.setraw(self._slave)
        target = os.ttyname(self._slave)
        tmp = self.path.with_name(self.path.name + ".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target)
        tmp.replace(self.path)
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def unplug(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=2)
        self.path.unlink(missing_ok=True)
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass

    close = unplug

    def write(self, data: bytes) -> None:
        os.write(self._master, data)

    def _serve(self) -> None:
        buffer = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self._master, 1024)
            except OSError:
                return
            buffer = self.answer(buffer + chunk)

    def answer(self, buffer: bytes) -> bytes:
        """Answer the complete commands in `buffer`; return what is left of it."""
        return b""


class ScaleSimulator(PtyDevice):
    """A scale speaking toledo8217, nci or sics on a pty."""

    def __init__(self, path: Path, protocol: str) -> None:
        if protocol not in ("toledo8217", "nci", "sics"):
            raise ValueError(f"no simulator for {protocol!r}")
        self.protocol = protocol
        self.state = ScaleState()
        self.commands: list[bytes] = []
        super().__init__(path)

    def answer(self, buffer: bytes) -> bytes:
        while True:
            command, buffer = self._command(buffer)
            if command is None:
                return buffer
            self.commands.append(command)
            frame = self._frame(command)
            if self.state.silent or frame is None:
                continue
            if self.state.garbage:
                frame = b"\xff\x13garbage\x00" + bytes(reversed(frame[1:]))
            elif self.state.partial:
                frame = frame[: max(1, len(frame) // 2)]
            self.write(frame)

    def _command(self, buffer: bytes) -> tuple[bytes | None, bytes]:
        if self.protocol == "toledo8217":
            return (buffer[:1], buffer[1:]) if buffer else (None, buffer)
        end = b"\r" if self.protocol == "nci" else b"\r\n"
        if end not in buffer:
            return None, buffer
        at = buffer.index(end)
        return buffer[:at], buffer[at + len(end) :]

    def _frame(self, command: bytes) -> bytes | None:  # noqa: C901 - one branch per protocol frame, as in the protocols' manuals
        s = self.state
        if command in (b"Z", b"T") and self.protocol != "sics":
            if command == b"Z":
                s.weight = Decimal("0.000")
            command = b"W"
        if self.protocol == "toledo8217":
            if command not in (b"W", b"C"):
                return None
            status = (0x20 | (0x01 if s.motion else 0) | (0x02 if s.over else 0)
                      | (0x04 if s.under else 0))  # fmt: skip
            if status != 0x20:
                return b"\x02?" + bytes([status]) + b"\r"
            return b"\x02" + f"{s.weight:07.3f}".encode() + b"\r"
        if self.protocol == "nci":
            if command != b"W":
                return None
            first = 0x30 | (0x01 if s.motion else 0) | (0x02 if s.weight == 0 else 0)
            second = 0x30 | (0x01 if s.under else 0) | (0x02 if s.over else 0)
            pair = bytes([first, second])
            if s.over or s.under:
                return b"\n" + pair + b"\r\x03"
            return b"\n" + f"{s.weight:7.3f}kg".encode() + b"\r\n" + pair + b"\r\x03"
        if command in (b"S", b"SI"):
            if s.over:
                return b"S +\r\n"
            if s.under:
                return b"S -\r\n"
            if s.motion and command == b"S":
                return b"S I\r\n"
            return f"S {'D' if s.motion else 'S'} {s.weight:>10.3f} kg\r\n".encode()
        if command == b"Z":
            if s.motion:
                return b"Z I\r\n"
            s.weight = Decimal("0.000")
            return b"Z A\r\n"
        if command == b"T":
            return b"T I\r\n" if s.motion else f"T S {s.weight:>10.3f} kg\r\n".encode()
        return b"ES\r\n"


class ScannerSimulator(PtyDevice):
    """A serial scanner on a pty: `scan()` sends a code as a scanner would."""

    def scan(self, code: str, *, prefix: bytes = b"", suffix: bytes = b"\r\n") -> None:
        self.write(prefix + code.encode("latin-1") + suffix)


class ModbusScaleSimulator:
    """A weighing indicator on pymodbus' own TCP server, with the register map's layout."""

    def __init__(self, port: int, registers: RegisterMap | None = None) -> None:
        self.port = port
        self.registers = registers or RegisterMap()
        self._loop = asyncio.new_event_loop()
        self._server: ModbusTcpServer | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the Modbus simulator did not start")

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        device = SimDevice(
            id=self.registers.device_id,
            simdata=[SimData(0, values=[0] * 16, datatype=DataType.REGISTERS)],
        )
        self._server = ModbusTcpServer(device, address=("127.0.0.1", self.port))
        self._ready.set()
        await self._server.serve_forever()

    def set(self, *, weight: Decimal, motion: bool = False, over: bool = False,
            under: bool = False) -> None:  # fmt: skip
        r = self.registers
        raw = int(weight.scaleb(r.decimals)) & 0xFFFFFFFF
        words = [raw >> 16, raw & 0xFFFF]
        if r.word_order == "little":
            words.reverse()
        status = 0
        for bit, on in ((r.motion_bit, motion), (r.over_bit, over), (r.under_bit, under)):
            if bit is not None and on:
                status |= 1 << bit
        self._write(r.weight_address, words)
        if r.status_address is not None:
            self._write(r.status_address, [status])

    def set_registers(self, address: int, values: list[int]) -> None:
        """Put raw holding-register values, as a faulty indicator may hold."""
        self._write(address, values)

    def command(self) -> int:
        """The last command written (1 zero, 2 tare), read back from the registers."""
        assert self._server is not None  # noqa: S101
        address = self.registers.command_address or 0
        future = asyncio.run_coroutine_threadsafe(
            self._server.async_getValues(self.registers.device_id, 3, address, 1), self._loop
        )
        return int(future.result(5)[0])

    def _write(self, address: int, values: list[int]) -> None:
        assert self._server is not None  # noqa: S101
        asyncio.run_coroutine_threadsafe(
            self._server.async_setValues(self.registers.device_id, 3, address, values), self._loop
        ).result(5)

    def close(self) -> None:
        if self._server is not None:
            stop = self._server.shutdown()  # type: ignore[no-untyped-call]
            asyncio.run_coroutine_threadsafe(stop, self._loop).result(5)
        self._thread.join(timeout=5)
        self._loop.close()
