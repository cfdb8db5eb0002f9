"""Scale drivers: serial (pyserial) for 8217, SCP-02 and MT-SICS, and Modbus (pymodbus).

Every call has a timeout. A port that is missing or not ours to open, a scale that does
not answer, and an answer of another protocol each raise a ScaleError whose message says
so, for the technician.
"""

from __future__ import annotations

import errno
import termios
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal, Protocol

import serial
from pymodbus.client import ModbusSerialClient, ModbusTcpClient
from pymodbus.exceptions import ModbusException

from devices.scales.protocols import (
    CR,
    ETX,
    LF,
    MAX_FRAME,
    STX,
    parse_nci,
    parse_sics,
    parse_sics_done,
    parse_toledo_8217,
)
from devices.scales.reading import (
    Reading,
    ScaleError,
    ScaleNoAnswer,
    ScaleProtocolError,
    ScaleStatus,
)

MAX_ANSWER = 16 * MAX_FRAME  # bytes arrived without a complete answer: noise, not a scale


class Scale(Protocol):
    def read(self) -> Reading: ...

    def zero(self) -> None: ...

    def tare(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SerialSettings:
    port: str
    baudrate: int = 9600
    bytesize: int = 7
    parity: str = "E"
    stopbits: int = 1
    timeout: float = 0.5


def open_serial(settings: SerialSettings) -> serial.Serial:
    """Open a serial port, or raise ScaleError saying what is wrong with it."""
    try:
        return serial.Serial(
            settings.port,
            baudrate=settings.baudrate,
            bytesize=settings.bytesize,
            parity=settings.parity,
            stopbits=settings.stopbits,
            timeout=min(settings.timeout, 0.1),
            write_timeout=settings.timeout,
        )
    except serial.SerialException as exc:
        number = getattr(exc, "errno", None)
        if number == errno.ENOENT:
            raise ScaleError(
                f"port {settings.port} does not exist: is the device plugged in?"
            ) from exc
        if number in (errno.EACCES, errno.EPERM):
            raise ScaleError(
                f"permission denied on {settings.port}: add the user to the dialout group"
            ) from exc
        raise ScaleError(f"cannot open {settings.port}: {exc}") from exc
    except ValueError as exc:  # pyserial refuses bad settings with ValueError
        raise ScaleError(f"bad serial settings for {settings.port}: {exc}") from exc


class SerialScale(ABC):
    """A scale that answers a request with one frame from `start` to `end`."""

    start: bytes
    end: bytes
    parse: Callable[[bytes], Reading]

    def __init__(self, settings: SerialSettings) -> None:
        self.settings = settings
        self._serial = open_serial(settings)

    def close(self) -> None:
        self._serial.close()

    def exchange(self, request: bytes) -> bytes:
        """Send a request and return the answer's frame (noise before it is dropped)."""
        try:
            self._serial.reset_input_buffer()
            self._serial.write(request)
            self._serial.flush()
            deadline = time.monotonic() + self.settings.timeout
            received = b""
            while time.monotonic() < deadline:
                received += self._serial.read(self._serial.in_waiting or 1)
                if (answer := self.answer_in(received)) is not None:
                    return answer
                if len(received) > MAX_ANSWER:
                    raise ScaleProtocolError(
                        f"{len(received)} bytes without an answer: {received[:80]!r}"
                    )
        except (serial.SerialException, OSError, termios.error) as exc:
            raise ScaleError(f"the port {self.settings.port} failed: {exc}") from exc
        if not received:
            raise ScaleNoAnswer(
                f"no answer from the scale on {self.settings.port} within "
                f"{self.settings.timeout} s: check the cable, the port and the baud rate"
            )
        raise ScaleProtocolError(f"incomplete or foreign answer: {received[:80]!r}")

    @classmethod
    def answer_in(cls, received: bytes) -> bytes | None:
        """Return the first answer in what arrived (noise before it dropped), None while it is
        incomplete, or raise ScaleProtocolError for an end without its start."""
        if cls.end not in received:
            return None
        frame = received[: received.index(cls.end) + len(cls.end)]
        at = cls.frame_start(frame)
        if at < 0:
            raise ScaleProtocolError(f"answer without its start: {frame[:80]!r}")
        return frame[at:]

    @classmethod
    def frame_start(cls, frame: bytes) -> int:
        """Where the answer starts in what arrived (noise before it is dropped)."""
        return frame.rfind(cls.start)

    @abstractmethod
    def read(self) -> Reading: ...

    @abstractmethod
    def zero(self) -> None: ...

    @abstractmethod
    def tare(self) -> None: ...


class Toledo8217Scale(SerialScale):
    start, end = STX, CR

    def read(self) -> Reading:
        return parse_toledo_8217(self.exchange(b"W"))

    def zero(self) -> None:
        parse_toledo_8217(self.exchange(b"Z"))

    def tare(self) -> None:
        parse_toledo_8217(self.exchange(b"T"))

    def clear_tare(self) -> None:
        parse_toledo_8217(self.exchange(b"C"))


class NciScale(SerialScale):
    start, end = LF, ETX

    @classmethod
    def frame_start(cls, frame: bytes) -> int:
        # The answer starts at its first LF: the last one not ending a CR LF line.
        at = len(frame)
        while (at := frame.rfind(LF, 0, at)) > 0 and frame[at - 1 : at] == CR:
            pass
        return at

    def read(self) -> Reading:
        return parse_nci(self.exchange(b"W\r"))

    def zero(self) -> None:
        parse_nci(self.exchange(b"Z\r"))

    def tare(self) -> None:
        parse_nci(self.exchange(b"T\r"))


class SicsScale(SerialScale):
    start, end = b"", b"\r\n"

    @classmethod
    def frame_start(cls, frame: bytes) -> int:
        return frame.rfind(LF, 0, len(frame) - 1) + 1  # the last line

    def read(self) -> Reading:
        return parse_sics(self.exchange(b"SI\r\n"))

    def zero(self) -> None:
        parse_sics_done(self.exchange(b"Z\r\n"), "Z")

    def tare(self) -> None:
        parse_sics_done(self.exchange(b"T\r\n"), "T")


@dataclass(frozen=True)
class RegisterMap:
    """Where a Modbus weighing indicator keeps its weight and status (holding registers)."""

    weight_address: int = 0
    data_type: Literal["int32", "float32", "int16"] = "int32"
    word_order: Literal["big", "little"] = "big"
    decimals: int = 3
    status_address: int | None = 2
    motion_bit: int | None = 0
    over_bit: int | None = 1
    under_bit: int | None = 2
    error_bit: int | None = 3
    command_address: int | None = 3  # write 1 to zero, 2 to tare
    device_id: int = 1


class ModbusScale:
    """A weighing indicator read over Modbus TCP (host:port) or RTU (a serial port)."""

    def __init__(
        self,
        *,
        registers: RegisterMap,
        host: str | None = None,
        port: int = 502,
        serial_settings: SerialSettings | None = None,
        timeout: float = 0.5,
    ) -> None:
        self.registers = registers
        self.where = (
            f"{host}:{port}" if host else (serial_settings.port if serial_settings else "?")
        )
        self._client: ModbusTcpClient | ModbusSerialClient
        if host:
            self._client = ModbusTcpClient(host, port=port, timeout=timeout, retries=0)
        elif serial_settings is not None:
            self._client = ModbusSerialClient(
                serial_settings.port,
                baudrate=serial_settings.baudrate,
                bytesize=serial_settings.bytesize,
                parity=serial_settings.parity,
                stopbits=serial_settings.stopbits,
                timeout=timeout,
                retries=0,
            )
        else:
            raise ScaleError("a Modbus scale needs a host or a serial port")
        if not self._client.connect():
            self.close()
            raise ScaleNoAnswer(f"cannot connect to the Modbus scale at {self.where}")

    def close(self) -> None:
        self._client.close()  # type: ignore[no-untyped-call]

    def read(self) -> Reading:
        r = self.registers
        words = self._read(r.weight_address, 1 if r.data_type == "int16" else 2)
        status_word = None if r.status_address is None else self._read(r.status_address, 1)[0]
        return modbus_reading(r, words, status_word)

    def zero(self) -> None:
        self._command(1)

    def tare(self) -> None:
        self._command(2)

    def _read(self, address: int, count: int) -> list[int]:
        try:
            answer = self._client.read_holding_registers(
                address, count=count, device_id=self.registers.device_id
            )
        except ModbusException as exc:
            raise ScaleNoAnswer(f"no answer from the Modbus scale at {self.where}: {exc}") from exc
        if answer.isError():
            raise ScaleProtocolError(f"the Modbus scale at {self.where} refused: {answer}")
        return list(answer.registers)

    def _command(self, value: int) -> None:
        if self.registers.command_address is None:
            raise ScaleError("this Modbus scale has no command register configured")
        try:
            answer = self._client.write_register(
                self.registers.command_address, value, device_id=self.registers.device_id
            )
        except ModbusException as exc:
            raise ScaleNoAnswer(f"no answer from the Modbus scale at {self.where}: {exc}") from exc
        if answer.isError():
            raise ScaleProtocolError(f"the Modbus scale at {self.where} refused: {answer}")


def modbus_reading(
    registers: RegisterMap, words: list[int], status_word: int | None, *, at: float | None = None
) -> Reading:
    """Read an indicator's registers as its map says, or raise ScaleProtocolError for a
    weight that is no number (a float32 NaN or infinity) or too large to be one."""
    r = registers
    client = ModbusTcpClient  # its conversions are class methods: no connection needed
    if r.data_type == "float32":
        raw = client.convert_from_registers(words, client.DATATYPE.FLOAT32, word_order=r.word_order)
        weight = Decimal(repr(raw))
    else:
        kind = client.DATATYPE.INT16 if r.data_type == "int16" else client.DATATYPE.INT32
        raw = client.convert_from_registers(words, kind, word_order=r.word_order)
        weight = Decimal(int(raw)).scaleb(-r.decimals)  # type: ignore[arg-type]
    try:
        weight = weight.quantize(Decimal(1).scaleb(-r.decimals))
    except InvalidOperation:
        weight = Decimal("NaN")
    if not weight.is_finite():
        raise ScaleProtocolError(f"the Modbus scale sent {raw!r}, not a weight")
    status = ScaleStatus.OK
    if status_word is not None:
        for bit, flag in ((r.motion_bit, ScaleStatus.MOTION),
                          (r.over_bit, ScaleStatus.OVER_CAPACITY),
                          (r.under_bit, ScaleStatus.UNDER_ZERO),
                          (r.error_bit, ScaleStatus.ERROR)):  # fmt: skip
            if bit is not None and status_word & (1 << bit):
                status |= flag
    stable = not status & (ScaleStatus.MOTION | ScaleStatus.ERROR)
    return Reading(weight, "kg", stable, status, time.time() if at is None else at)


SERIAL_PROTOCOLS: dict[str, tuple[type[SerialScale], SerialSettings]] = {
    "toledo8217": (Toledo8217Scale, SerialSettings("", 9600, 7, "E", 1)),
    "nci": (NciScale, SerialSettings("", 9600, 7, "E", 1)),
    "sics": (SicsScale, SerialSettings("", 9600, 8, "N", 1)),
}


def serial_scale(protocol: str, settings: SerialSettings) -> SerialScale:
    """Open a serial scale of a protocol: toledo8217, nci or sics."""
    if protocol not in SERIAL_PROTOCOLS:
        raise ScaleError(f"unknown protocol {protocol!r}: one of {', '.join(SERIAL_PROTOCOLS)}")
    return SERIAL_PROTOCOLS[protocol][0](settings)
