"""The scale protocols fuzzed, frame by frame and over real pseudo-terminals: whatever bytes
a scale, a wrong scale or line noise sends, a parser answers a well-formed Reading or a
ScaleProtocolError, quickly and in a short message; every frame made by the manuals reads
back as the weight it was made from; and only a fresh, stable, positive, finite weight in kg
is ever sellable."""

from __future__ import annotations

import math
import operator
import os
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deploy.local.redis_server import free_port
from devices.scales import (
    MAX_AGE_SECONDS,
    Reading,
    ScaleProtocolError,
    ScaleStatus,
    ScaleUnsellable,
    sellable_weight,
)
from devices.scales.drivers import (
    ModbusScale,
    NciScale,
    RegisterMap,
    SerialScale,
    SerialSettings,
    SicsScale,
    Toledo8217Scale,
    modbus_reading,
    serial_scale,
)
from devices.scales.protocols import (
    MAX_FRAME,
    parse_nci,
    parse_sics,
    parse_sics_done,
    parse_toledo_8217,
)
from devices.scales.reading import MAX_SELLABLE_KG
from devices.simulators import ModbusScaleSimulator, PtyDevice

FUZZ = settings(max_examples=300)
ROUND_TRIP = settings(max_examples=200)
AT = 1_800_000_000.0  # when every frame here is read
MESSAGE_LIMIT = 200  # characters: a technician reads it, the health report carries it

Parser = Callable[..., Reading]
PARSERS: dict[str, Parser] = {
    "toledo8217": parse_toledo_8217,
    "nci": parse_nci,
    "sics": parse_sics,
}
DRIVERS: dict[str, type[SerialScale]] = {
    "toledo8217": Toledo8217Scale,
    "nci": NciScale,
    "sics": SicsScale,
}


@dataclass(frozen=True)
class Frame:
    """A frame as a protocol's manual writes it, and what it means."""

    protocol: str
    data: bytes
    weight: Decimal | None
    unit: str
    stable: bool
    status: ScaleStatus


# ------------------------------------------------------------------ frames by the manuals


@st.composite
def numbers(draw: st.DrawFn, whole: int, decimals: int, *, signed: bool) -> str:
    """A weight as scales print it: up to `whole` digits, a point and up to `decimals`."""
    text = draw(st.text("0123456789", min_size=1, max_size=whole))
    if decimals and draw(st.booleans()):
        text += "." + draw(st.text("0123456789", min_size=1, max_size=decimals))
    return ("-" if signed and draw(st.booleans()) else "") + text


@st.composite
def toledo_frames(draw: st.DrawFn) -> Frame:
    if draw(st.booleans()):
        text = draw(
            st.one_of(
                numbers(6, 0, signed=False),
                numbers(4, 3, signed=False).filter(lambda number: "." in number),
            )
        )
        weight = Decimal(text)
        status = ScaleStatus.CENTER_OF_ZERO if weight == 0 else ScaleStatus.OK
        return Frame("toledo8217", b"\x02" + text.encode() + b"\r", weight, "kg", True, status)
    bits = draw(st.integers(0, 0x1F))
    status = ScaleStatus.OK
    for bit, flag in enumerate(
        [
            ScaleStatus.MOTION,
            ScaleStatus.OVER_CAPACITY,
            ScaleStatus.UNDER_ZERO,
            ScaleStatus.OUTSIDE_ZERO_RANGE,
            ScaleStatus.CENTER_OF_ZERO,
        ]
    ):
        if bits & (1 << bit):
            status |= flag
    blocking = ScaleStatus.MOTION | ScaleStatus.OVER_CAPACITY | ScaleStatus.UNDER_ZERO
    stable = not status & blocking
    return Frame("toledo8217", b"\x02?" + bytes([0x20 | bits]) + b"\r", None, "kg", stable, status)


@st.composite
def nci_frames(draw: st.DrawFn) -> Frame:
    first, second = draw(st.integers(0, 0x0F)), draw(st.integers(0, 0x0F))
    pair = bytes([0x30 | first | draw(st.sampled_from([0, 0x40])), 0x30 | second])
    status = ScaleStatus.OK
    for present, flag in (
        (first & 0x01, ScaleStatus.MOTION),
        (first & 0x02, ScaleStatus.CENTER_OF_ZERO),
        (first & 0x0C or second & 0x0C, ScaleStatus.ERROR),
        (second & 0x01, ScaleStatus.UNDER_ZERO),
        (second & 0x02, ScaleStatus.OVER_CAPACITY),
    ):
        if present:
            status |= flag
    if draw(st.booleans()):
        return Frame("nci", b"\n" + pair + b"\r\x03", None, "kg", False, status)
    text = draw(
        st.one_of(numbers(6, 0, signed=True), numbers(4, 3, signed=True).filter(lambda n: "." in n))
    )
    unit = draw(st.sampled_from(["kg", "lb", "KG", "LB"]))
    padded = " " * draw(st.integers(0, 4)) + text + unit
    stable = not status & (ScaleStatus.MOTION | ScaleStatus.ERROR)
    data = b"\n" + padded.encode() + b"\r\n" + pair + b"\r\x03"
    return Frame("nci", data, Decimal(text), unit.lower(), stable, status)


@st.composite
def sics_frames(draw: st.DrawFn) -> Frame:
    ending = draw(st.sampled_from([b"", b"\r\n"]))
    answer = draw(st.sampled_from(["weight", "S +", "S -", "S I"]))
    if answer != "weight":
        status = {
            "S +": ScaleStatus.OVER_CAPACITY,
            "S -": ScaleStatus.UNDER_ZERO,
            "S I": ScaleStatus.MOTION,
        }[answer]
        return Frame("sics", answer.encode() + ending, None, "kg", False, status)
    stable = draw(st.booleans())
    text = draw(numbers(10, 9, signed=True))
    unit = draw(st.sampled_from(["kg", "g", "lb", "oz", "ct"]))
    line = f"S {'S' if stable else 'D'}{' ' * draw(st.integers(1, 10))}{text} {unit}"
    status = ScaleStatus.OK if stable else ScaleStatus.MOTION
    return Frame("sics", line.encode() + ending, Decimal(text), unit, stable, status)


FRAMES = st.one_of(toledo_frames(), nci_frames(), sics_frames())


def read(protocol: str, data: bytes) -> Reading:
    return PARSERS[protocol](data, at=AT)


@ROUND_TRIP
@given(FRAMES)
def test_a_frame_made_by_the_manual_reads_back_as_its_weight_and_status(frame: Frame) -> None:
    reading = read(frame.protocol, frame.data)
    assert (reading.weight, reading.unit) == (frame.weight, frame.unit)
    assert (reading.stable, reading.status, reading.at) == (frame.stable, frame.status, AT)
    assert_well_formed(reading, frame.protocol)


@ROUND_TRIP
@given(FRAMES)
def test_a_frame_sells_its_weight_only_when_stable_positive_and_in_kg(frame: Frame) -> None:
    reading = read(frame.protocol, frame.data)
    sellable = (
        frame.weight is not None
        and 0 < frame.weight.quantize(Decimal("0.001")) <= MAX_SELLABLE_KG
        and frame.unit == "kg"
        and frame.stable
        and not frame.status
        & (
            ScaleStatus.OVER_CAPACITY
            | ScaleStatus.UNDER_ZERO
            | ScaleStatus.ERROR
            | ScaleStatus.MOTION
        )
    )
    if not sellable:
        with pytest.raises(ScaleUnsellable):
            sellable_weight(reading, now=AT)
        return
    assert frame.weight is not None
    assert sellable_weight(reading, now=AT) == frame.weight.quantize(Decimal("0.001"))


# ------------------------------------------------------------------ anything in


def mutated(frames: st.SearchStrategy[Frame]) -> st.SearchStrategy[bytes]:
    """Valid frames cut short, with bytes changed, or with noise around them."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        data = draw(frames).data
        cut = draw(st.integers(0, len(data)))
        noise = draw(st.binary(max_size=8))
        return draw(
            st.sampled_from(
                [
                    data[:cut],
                    data[:cut] + noise + data[cut:],
                    data[:cut] + noise[:1] + data[cut + 1 :],
                    noise + data,
                    data + noise,
                ]
            )
        )

    return build()


# Bytes of these protocols, and bytes of none (NUL, 0xFF, FS, NEL, foreign digits).
TOKENS = [bytes([byte]) for byte in b"\x02\x03\r\n? -.09+IA\t\x1c\x85\x00\xff"] + [
    b"\r\n", b"S S", b"S D", b"kg", b"lb", b"12.5", b"00", b"ES", "٣".encode(), "３".encode()
]  # fmt: skip
HOSTILE = st.one_of(
    st.binary(max_size=100),
    st.lists(st.sampled_from(TOKENS), max_size=16).map(b"".join),
    mutated(FRAMES),
    st.builds(
        lambda size, fill: fill * size,
        st.integers(MAX_FRAME // 8, 100_000),
        st.sampled_from([b"9", b" ", b"\x02", b"S S 1 kg"]),
    ),
)


def assert_well_formed(reading: Reading, protocol: str) -> None:
    assert isinstance(reading.stable, bool) and math.isfinite(reading.at)
    assert isinstance(reading.status, ScaleStatus)
    if reading.weight is not None:
        assert reading.weight.is_finite()
        assert reading.weight.adjusted() < 10  # no scale prints more than 10 digits
    if protocol == "toledo8217":
        assert reading.unit == "kg"
        assert reading.weight is None or reading.weight >= 0  # 8217 signals under zero apart
    elif protocol == "nci":
        assert reading.unit in ("kg", "lb")
    else:
        assert 1 <= len(reading.unit) <= 5 and reading.unit.isascii()
        assert reading.unit.isprintable() and " " not in reading.unit


def assert_sellable_or_refused(reading: Reading) -> None:
    try:
        weight = sellable_weight(reading, now=reading.at)
    except ScaleUnsellable:
        return
    assert weight.is_finite() and weight > 0 and weight.as_tuple().exponent == -3
    assert reading.unit == "kg" and reading.stable


@FUZZ
@given(st.sampled_from(sorted(PARSERS)), HOSTILE)
def test_any_bytes_read_as_a_well_formed_reading_or_a_protocol_error(
    protocol: str, data: bytes
) -> None:
    try:
        reading = read(protocol, data)
    except ScaleProtocolError as refusal:
        assert 0 < len(str(refusal)) <= MESSAGE_LIMIT
        return
    assert len(data) <= MAX_FRAME and reading.at == AT
    assert_well_formed(reading, protocol)
    assert_sellable_or_refused(reading)


@FUZZ
@given(st.sampled_from(["Z", "T"]), HOSTILE)
def test_any_answer_to_zero_or_tare_is_done_or_a_protocol_error(command: str, data: bytes) -> None:
    try:
        parse_sics_done(data, command)
    except ScaleProtocolError as refusal:
        assert 0 < len(str(refusal)) <= MESSAGE_LIMIT
        return
    answer = data.strip(b"\r\n")
    assert answer == f"{command} A".encode() or (command == "T" and answer.startswith(b"T S"))


def outside(frame: Frame, data: bytes) -> bool:
    """Whether `data`, around a frame, is noise and not the frame's own line ending."""
    return bool(data) and (frame.protocol != "sics" or bool(data.strip(b"\r\n")))


NOISE = st.one_of(
    st.sampled_from([b"\n", b"\r", b"\r\n", b"\x00", b" ", b"\x02", b"\x03", b"0", b"\xff"]),
    st.binary(min_size=1, max_size=12),
)


@FUZZ
@given(FRAMES, NOISE, st.booleans())
def test_noise_before_or_after_a_frame_is_never_read_as_a_weight(
    frame: Frame, noise: bytes, before: bool
) -> None:
    data = noise + frame.data if before else frame.data + noise
    try:
        reading = read(frame.protocol, data)
    except ScaleProtocolError:
        return
    # Only what cannot be told from the frame is accepted: a SICS line's CR LF, or noise
    # that happens to extend a SICS unit (which is then not the unit that was sent).
    assert frame.protocol == "sics"
    assert not outside(frame, noise) or (not before and reading.unit != frame.unit)


@FUZZ
@given(
    st.sampled_from(sorted(PARSERS)),
    st.integers(MAX_FRAME + 1, 1_000_000),
    st.binary(min_size=1, max_size=4) | FRAMES.map(lambda frame: frame.data),
)
def test_an_oversized_buffer_is_refused_in_a_short_message(
    protocol: str, size: int, fill: bytes
) -> None:
    data = (fill * (size // len(fill) + 1))[:size]
    with pytest.raises(ScaleProtocolError) as refusal:
        read(protocol, data)
    assert len(str(refusal.value)) <= MESSAGE_LIMIT


# ------------------------------------------------------------------ framing what arrives


@FUZZ
@given(FRAMES, st.binary(max_size=30), st.binary(max_size=30))
def test_noise_before_an_answer_is_dropped_and_what_follows_waits(
    frame: Frame, noise: bytes, after: bytes
) -> None:
    driver = DRIVERS[frame.protocol]
    if frame.protocol == "sics":
        # A line is the answer: noise is dropped up to a bare LF (a CR LF ends the answer).
        frame_data = frame.data if frame.data.endswith(b"\r\n") else frame.data + b"\r\n"
        noise = noise.replace(b"\r", b"").replace(b"\n", b"") + b"\n" if noise else b""
    else:
        frame_data = frame.data
        framing = {b"\x02", b"\x03", b"\r", b"\n"}
        noise = bytes(byte for byte in noise if bytes([byte]) not in framing)
    assert driver.answer_in(noise + frame_data + after) == frame_data


@FUZZ
@given(st.sampled_from(sorted(DRIVERS)), HOSTILE)
def test_whatever_arrives_frames_as_nothing_yet_an_answer_or_a_protocol_error(
    protocol: str, data: bytes
) -> None:
    driver = DRIVERS[protocol]
    try:
        answer = driver.answer_in(data)
    except ScaleProtocolError as refusal:
        assert len(str(refusal)) <= MESSAGE_LIMIT
        return
    if answer is None:
        assert driver.end not in data
        return
    assert answer.endswith(driver.end) and answer in data
    assert answer.count(driver.end) == 1
    try:
        reading = read(protocol, answer)
    except ScaleProtocolError:
        return
    assert_well_formed(reading, protocol)


# ------------------------------------------------------------------ readings relayed as JSON

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
WEIGHTS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-2, max_value=2, places=4),
    st.sampled_from(["NaN", "sNaN", "-Infinity", "1e400", "1" * 60, "0.0004", "-0", "abc", ""]),
    st.floats(),
    st.integers(),
)
READING_DOCUMENTS = st.fixed_dictionaries(
    {},
    optional={
        "weight": st.one_of(st.none(), WEIGHTS, JSON),
        "unit": st.sampled_from(["kg", "lb", "", "KG"]),
        "stable": st.booleans(),
        "status": st.one_of(
            st.lists(
                st.sampled_from(
                    [f.name.lower() for f in ScaleStatus if f.name] + ["ok", "bogus", "MOTION"]
                )
            ),
            JSON,
        ),
        "at": st.one_of(
            st.just(AT),
            st.floats(),
            st.text(max_size=5),
            JSON,
            st.sampled_from([10**400, "1e999", "nan", "-inf", None]),
        ),
    },
)


@FUZZ
@given(st.one_of(READING_DOCUMENTS, JSON))
def test_a_relayed_reading_is_read_back_or_refused_as_a_value_error(document: Any) -> None:
    try:
        reading = Reading.from_json(document)
    except ValueError as refusal:
        assert len(str(refusal)) <= MESSAGE_LIMIT
        return
    assert reading.weight is None or reading.weight.is_finite()
    assert math.isfinite(reading.at)
    assert_sellable_or_refused(reading)


STATUSES = st.lists(st.sampled_from([flag for flag in ScaleStatus if flag])).map(
    lambda flags: reduce(operator.or_, flags, ScaleStatus.OK)
)


@ROUND_TRIP
@given(
    st.builds(
        Reading,
        weight=st.none() | st.decimals(allow_nan=False, allow_infinity=False),
        unit=st.sampled_from(["kg", "lb", "g"]),
        stable=st.booleans(),
        status=STATUSES,
        at=st.floats(allow_nan=False, allow_infinity=False),
    )
)
def test_a_reading_relayed_as_json_reads_back_the_same(reading: Reading) -> None:
    assert Reading.from_json(reading.as_json()) == reading


@FUZZ
@given(
    weight=st.none()
    | st.decimals(allow_nan=True, allow_infinity=True)
    | st.sampled_from([Decimal("0.0004"), Decimal("-0.0004"), Decimal("1e30"), Decimal("-1e30")]),
    status=STATUSES,
    stable=st.booleans(),
    age=st.floats(),
)
def test_only_a_fresh_stable_finite_positive_weight_is_sellable(
    weight: Decimal | None, status: ScaleStatus, stable: bool, age: float
) -> None:
    reading = Reading(weight, "kg", stable, status, AT)
    try:
        sold = sellable_weight(reading, now=AT + age)
    except ScaleUnsellable as refusal:
        assert str(refusal)
        return
    assert abs(age) <= MAX_AGE_SECONDS and stable
    assert not status & (
        ScaleStatus.MOTION | ScaleStatus.OVER_CAPACITY | ScaleStatus.UNDER_ZERO | ScaleStatus.ERROR
    )
    assert weight is not None and sold == weight.quantize(Decimal("0.001")) and sold > 0


# ------------------------------------------------------------------ Modbus registers


def int_words(value: int, size: int, word_order: str) -> list[int]:
    raw = value & ((1 << (16 * size)) - 1)
    words = [(raw >> (16 * (size - 1 - i))) & 0xFFFF for i in range(size)]
    return words[::-1] if word_order == "little" else words


def float_words(value: float, word_order: str) -> list[int]:
    high, low = struct.unpack(">HH", struct.pack(">f", value))
    return [low, high] if word_order == "little" else [high, low]


REGISTER_MAPS = st.builds(
    RegisterMap,
    data_type=st.sampled_from(["int32", "float32", "int16"]),
    word_order=st.sampled_from(["big", "little"]),
    decimals=st.integers(0, 6),
)


@FUZZ
@given(
    REGISTER_MAPS,
    st.lists(st.integers(0, 0xFFFF), min_size=2, max_size=2),
    st.none() | st.integers(0, 0xFFFF),
)
def test_any_registers_read_as_a_finite_weight_or_a_protocol_error(
    registers: RegisterMap,
    words: list[int],
    status_word: int | None,
) -> None:
    words = words[:1] if registers.data_type == "int16" else words
    try:
        reading = modbus_reading(registers, words, status_word, at=AT)
    except ScaleProtocolError as refusal:
        assert registers.data_type == "float32"  # integers are always weights
        assert len(str(refusal)) <= MESSAGE_LIMIT
        return
    assert reading.weight is not None and reading.weight.is_finite()
    assert reading.weight.as_tuple().exponent == -registers.decimals
    assert reading.stable == (not reading.status & (ScaleStatus.MOTION | ScaleStatus.ERROR))
    if status_word is None:
        assert reading.status == ScaleStatus.OK
    assert_sellable_or_refused(reading)


@ROUND_TRIP
@given(REGISTER_MAPS, st.integers(-(2**31), 2**31 - 1))
def test_an_integer_weight_reads_back_from_its_registers(registers: RegisterMap, raw: int) -> None:
    if registers.data_type == "float32":
        value = struct.unpack(">f", struct.pack(">f", raw / 10**registers.decimals))[0]
        words = float_words(value, registers.word_order)
        expected = Decimal(repr(value)).quantize(Decimal(1).scaleb(-registers.decimals))
    else:
        size = 1 if registers.data_type == "int16" else 2
        raw = max(min(raw, 2 ** (16 * size - 1) - 1), -(2 ** (16 * size - 1)))
        words = int_words(raw, size, registers.word_order)
        expected = Decimal(raw).scaleb(-registers.decimals)
    assert modbus_reading(registers, words, 0, at=AT).weight == expected


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 3.4e38])
def test_a_modbus_indicator_holding_no_number_is_a_protocol_error(value: float) -> None:
    registers = RegisterMap(data_type="float32")
    simulator = ModbusScaleSimulator(free_port(), registers)
    try:
        simulator.set_registers(registers.weight_address, float_words(value, "big"))
        scale = ModbusScale(registers=registers, host="127.0.0.1", port=simulator.port)
        try:
            with pytest.raises(ScaleProtocolError, match="not a weight"):
                scale.read()
        finally:
            scale.close()
    finally:
        simulator.close()


# ------------------------------------------------------------------ drivers on ptys


class NoisyLine(PtyDevice):
    """A port that answers every request with `answer_bytes`, or floods it with noise."""

    def __init__(self, path: Path) -> None:
        self.answer_bytes = b""
        self.flood = False
        super().__init__(path)

    def plug(self) -> None:
        super().plug()
        os.set_blocking(self._master, False)  # a flood waits for the reader, never blocks

    def answer(self, buffer: bytes) -> bytes:
        if self.flood:
            block = bytes(range(0x20, 0x7F)) * 8  # no STX, ETX, CR or LF: never a frame
            deadline = time.monotonic() + 3.0
            while time.monotonic() < deadline and not self._stop.is_set():
                try:
                    self.write(block)
                except BlockingIOError:
                    time.sleep(0.001)
                except OSError:
                    return b""  # unplugged
        elif self.answer_bytes:
            self.write(self.answer_bytes)
        return b""


@pytest.fixture
def line(tmp_path: Path) -> Iterator[NoisyLine]:
    device = NoisyLine(tmp_path / "ttyNoise0")
    yield device
    device.close()


@pytest.mark.parametrize("protocol", sorted(DRIVERS))
def test_a_port_flooded_with_noise_is_refused_long_before_the_timeout(
    line: NoisyLine, protocol: str
) -> None:
    line.flood = True
    scale = serial_scale(protocol, SerialSettings(str(line.path), timeout=5.0))
    started = time.monotonic()
    try:
        with pytest.raises(ScaleProtocolError, match="without an answer"):
            scale.read()
    finally:
        scale.close()
    assert time.monotonic() - started < 2.0


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(sorted(DRIVERS)).flatmap(
        lambda protocol: st.tuples(
            st.just(protocol),
            st.binary(max_size=40),
            mutated(FRAMES.filter(lambda frame: frame.protocol == protocol)),
        )
    )
)
def test_a_driver_reads_noise_and_frames_from_a_port_as_readings_or_scale_errors(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[str, bytes, bytes]
) -> None:
    protocol, noise, data = case
    driver = DRIVERS[protocol]
    line = NoisyLine(tmp_path_factory.mktemp("pty") / "ttyFuzz0")
    line.answer_bytes = noise + data + driver.end  # always ends a frame: no waiting out timeouts
    scale = serial_scale(protocol, SerialSettings(str(line.path), timeout=1.0))
    try:
        reading = scale.read()
    except ScaleProtocolError as refusal:
        assert len(str(refusal)) <= MESSAGE_LIMIT
    else:
        assert_well_formed(reading, protocol)
    finally:
        scale.close()
        line.close()
