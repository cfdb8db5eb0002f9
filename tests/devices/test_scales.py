"""Scale protocols frame by frame, and the drivers over real pseudo-terminals and pymodbus'
own server. No hardware."""

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from deploy.local.redis_server import free_port
from devices.scales import (
    Reading,
    ScaleError,
    ScaleNoAnswer,
    ScaleProtocolError,
    ScaleStatus,
    ScaleUnsellable,
    sellable_weight,
)
from devices.scales.drivers import ModbusScale, RegisterMap, SerialSettings, serial_scale
from devices.scales.protocols import parse_nci, parse_sics, parse_sics_done, parse_toledo_8217
from devices.simulators import ModbusScaleSimulator, ScaleSimulator

# ------------------------------------------------------------------ frames


@pytest.mark.parametrize(
    ("frame", "weight", "stable", "status"),
    [
        (b"\x02001.234\r", Decimal("1.234"), True, ScaleStatus.OK),
        (b"\x0200.000\r", Decimal("0.000"), True, ScaleStatus.CENTER_OF_ZERO),
        (b"\x02?!\r", None, False, ScaleStatus.MOTION),  # 0x21: motion
        (b'\x02?"\r', None, False, ScaleStatus.OVER_CAPACITY),  # 0x22
        (b"\x02?$\r", None, False, ScaleStatus.UNDER_ZERO),  # 0x24
        (b"\x02?(\r", None, True, ScaleStatus.OUTSIDE_ZERO_RANGE),  # 0x28
    ],
)
def test_toledo_8217_frames(frame: bytes, weight: Decimal | None, stable: bool,
                            status: ScaleStatus) -> None:  # fmt: skip
    reading = parse_toledo_8217(frame, at=0)
    assert (reading.weight, reading.stable, reading.status) == (weight, stable, status)


@pytest.mark.parametrize(
    ("frame", "weight", "stable", "status"),
    [
        (b"\n  0.512kg\r\n00\r\x03", Decimal("0.512"), True, ScaleStatus.OK),
        (b"\n  0.512kg\r\n10\r\x03", Decimal("0.512"), False, ScaleStatus.MOTION),
        (b"\n  0.000kg\r\n20\r\x03", Decimal("0.000"), True, ScaleStatus.CENTER_OF_ZERO),
        (b"\n02\r\x03", None, False, ScaleStatus.OVER_CAPACITY),
        (b"\n01\r\x03", None, False, ScaleStatus.UNDER_ZERO),
        (b"\n40\r\x03", None, False, ScaleStatus.ERROR),  # RAM error
    ],
)
def test_nci_scp02_frames(frame: bytes, weight: Decimal | None, stable: bool,
                          status: ScaleStatus) -> None:  # fmt: skip
    frame = frame.replace(b"00\r", b"\x30\x30\r").replace(b"10\r", b"\x31\x30\r")
    frame = frame.replace(b"20\r", b"\x32\x30\r").replace(b"02\r", b"\x30\x32\r")
    frame = frame.replace(b"01\r", b"\x30\x31\r").replace(b"40\r", b"\x34\x30\r")
    reading = parse_nci(frame, at=0)
    assert (reading.weight, reading.stable, reading.status) == (weight, stable, status)


@pytest.mark.parametrize(
    ("line", "weight", "stable", "status"),
    [
        (b"S S      1.234 kg\r\n", Decimal("1.234"), True, ScaleStatus.OK),
        (b"S D      1.230 kg\r\n", Decimal("1.230"), False, ScaleStatus.MOTION),
        (b"S +\r\n", None, False, ScaleStatus.OVER_CAPACITY),
        (b"S -\r\n", None, False, ScaleStatus.UNDER_ZERO),
        (b"S I\r\n", None, False, ScaleStatus.MOTION),
    ],
)
def test_mt_sics_answers(line: bytes, weight: Decimal | None, stable: bool,
                         status: ScaleStatus) -> None:  # fmt: skip
    reading = parse_sics(line, at=0)
    assert (reading.weight, reading.stable, reading.status) == (weight, stable, status)


@pytest.mark.parametrize(
    ("parse", "frame", "message"),
    [
        (parse_toledo_8217, b"\x02abc\r", "not a Toledo"),
        (parse_toledo_8217, b"\x02001.2", "not a Toledo"),
        (parse_nci, b"\n  0.512kg\r\n\x00\x00\r\x03", "not NCI status"),
        (parse_nci, b"0.512kg", "not an NCI"),
        (parse_sics, b"ES\r\n", "syntax error"),
        (parse_sics, b"ET\r\n", "transmission error"),
        (parse_sics, b"EL\r\n", "logical error"),
        (parse_sics, b"\xff\xfe", "not ASCII"),
        (parse_sics, b"S X 1 kg", "not an MT-SICS"),
    ],
)
def test_foreign_or_broken_frames_are_protocol_errors(parse: object, frame: bytes,
                                                      message: str) -> None:  # fmt: skip
    with pytest.raises(ScaleProtocolError, match=message):
        parse(frame)  # type: ignore[operator]


def test_sics_zero_and_tare_answers() -> None:
    parse_sics_done(b"Z A\r\n", "Z")
    parse_sics_done(b"T S      0.120 kg\r\n", "T")
    with pytest.raises(ScaleProtocolError, match="busy or unstable"):
        parse_sics_done(b"Z I\r\n", "Z")


# ------------------------------------------------------------------ what may be sold


def test_only_a_stable_fresh_positive_weight_in_kg_is_sellable() -> None:
    now = time.time()
    assert sellable_weight(Reading(Decimal("0.512"), "kg", True, at=now), now=now) == Decimal(
        "0.512"
    )
    refusals = [
        (Reading(Decimal("0.5"), "kg", False, ScaleStatus.MOTION, now), "moving"),
        (Reading(None, "kg", False, ScaleStatus.OVER_CAPACITY, now), "over capacity"),
        (Reading(None, "kg", False, ScaleStatus.UNDER_ZERO, now), "under zero"),
        (Reading(Decimal("0.5"), "kg", False, ScaleStatus.ERROR, now), "error"),
        (Reading(Decimal("0.5"), "kg", True, at=now - 1.5), "too old"),
        (Reading(Decimal("1.1"), "lb", True, at=now), "no weight in kg"),
        (Reading(Decimal("0.000"), "kg", True, at=now), "nothing on the scale"),
    ]
    for reading, reason in refusals:
        with pytest.raises(ScaleUnsellable, match=reason):
            sellable_weight(reading, now=now)


# ------------------------------------------------------------------ drivers on ptys


@pytest.fixture(params=["toledo8217", "nci", "sics"])
def simulated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ScaleSimulator]:
    simulator = ScaleSimulator(tmp_path / "ttyScale0", request.param)
    yield simulator
    simulator.close()


def driver(simulator: ScaleSimulator, timeout: float = 0.3) -> object:
    return serial_scale(simulator.protocol, SerialSettings(str(simulator.path), timeout=timeout))


def test_a_stable_weight_is_read(simulated: ScaleSimulator) -> None:
    simulated.state.weight = Decimal("0.512")
    scale = driver(simulated)
    reading = scale.read()  # type: ignore[attr-defined]
    assert (reading.weight, reading.stable, reading.unit) == (Decimal("0.512"), True, "kg")
    assert sellable_weight(reading) == Decimal("0.512")
    scale.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("fault", "reason"),
    [("motion", "moving"), ("over", "over capacity"), ("under", "under zero")],
)
def test_a_faulty_reading_is_read_but_not_sellable(simulated: ScaleSimulator, fault: str,
                                                   reason: str) -> None:  # fmt: skip
    simulated.state.weight = Decimal("1.250")
    setattr(simulated.state, fault, True)
    scale = driver(simulated)
    with pytest.raises(ScaleUnsellable, match=reason):
        sellable_weight(scale.read())  # type: ignore[attr-defined]
    scale.close()  # type: ignore[attr-defined]


def test_silence_is_no_answer_within_the_timeout(simulated: ScaleSimulator) -> None:
    simulated.state.silent = True
    scale = driver(simulated, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(ScaleNoAnswer, match="no answer"):
        scale.read()  # type: ignore[attr-defined]
    assert time.monotonic() - started < 1.0
    scale.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize("fault", ["garbage", "partial"])
def test_garbage_and_partial_frames_are_protocol_errors(simulated: ScaleSimulator,
                                                        fault: str) -> None:  # fmt: skip
    setattr(simulated.state, fault, True)
    scale = driver(simulated, timeout=0.2)
    with pytest.raises(ScaleProtocolError):
        scale.read()  # type: ignore[attr-defined]
    scale.close()  # type: ignore[attr-defined]


def test_zero_and_tare_are_sent(simulated: ScaleSimulator) -> None:
    simulated.state.weight = Decimal("0.004")
    scale = driver(simulated)
    scale.zero()  # type: ignore[attr-defined]
    scale.tare()  # type: ignore[attr-defined]
    assert simulated.state.weight == Decimal("0.000")
    assert [c for c in simulated.commands if c != b"W"][:2] in ([b"Z", b"T"],)
    scale.close()  # type: ignore[attr-defined]


def test_unplugged_then_replugged(simulated: ScaleSimulator) -> None:
    simulated.state.weight = Decimal("0.300")
    scale = driver(simulated)
    simulated.unplug()
    with pytest.raises(ScaleError):
        scale.read()  # type: ignore[attr-defined]
    scale.close()  # type: ignore[attr-defined]
    with pytest.raises(ScaleError, match="does not exist"):
        driver(simulated)
    simulated.plug()
    scale = driver(simulated)
    assert scale.read().weight == Decimal("0.300")  # type: ignore[attr-defined]
    scale.close()  # type: ignore[attr-defined]


def test_an_unknown_protocol_or_bad_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ScaleError, match="unknown protocol"):
        serial_scale("cas", SerialSettings(str(tmp_path / "x")))
    simulator = ScaleSimulator(tmp_path / "ttyS", "sics")
    with pytest.raises(ScaleError, match="bad serial settings"):
        serial_scale("sics", SerialSettings(str(simulator.path), baudrate=-5))
    simulator.close()


# ------------------------------------------------------------------ Modbus


@pytest.fixture
def indicator() -> Iterator[ModbusScaleSimulator]:
    simulator = ModbusScaleSimulator(free_port())
    yield simulator
    simulator.close()


@pytest.mark.parametrize("word_order", ["big", "little"])
def test_a_modbus_indicator_is_read_through_its_register_map(word_order: str) -> None:
    registers = RegisterMap(word_order=word_order)  # type: ignore[arg-type]
    simulator = ModbusScaleSimulator(free_port(), registers)
    try:
        simulator.set(weight=Decimal("2.345"))
        scale = ModbusScale(registers=registers, host="127.0.0.1", port=simulator.port)
        reading = scale.read()
        assert (reading.weight, reading.stable) == (Decimal("2.345"), True)
        simulator.set(weight=Decimal("2.345"), motion=True)
        with pytest.raises(ScaleUnsellable, match="moving"):
            sellable_weight(scale.read())
        simulator.set(weight=Decimal("-0.010"), under=True)
        assert ScaleStatus.UNDER_ZERO in scale.read().status
        scale.zero()
        assert simulator.command() == 1
        scale.tare()
        assert simulator.command() == 2
        scale.close()
    finally:
        simulator.close()


def test_a_missing_modbus_indicator_is_no_answer() -> None:
    with pytest.raises(ScaleNoAnswer, match="cannot connect"):
        ModbusScale(registers=RegisterMap(), host="127.0.0.1", port=free_port(), timeout=0.2)
