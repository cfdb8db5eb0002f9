"""The serial scale protocols, frame by frame: what to send, and what an answer means.

Pure functions over bytes, so that every frame of the manuals can be tested without a
port. Each parser raises ScaleProtocolError for anything its protocol does not allow: a
frame is matched whole (nothing before or after it), and none is longer than MAX_FRAME.
"""

from __future__ import annotations

import re
import time
from decimal import Decimal, InvalidOperation

from devices.scales.reading import Reading, ScaleProtocolError, ScaleStatus

STX, ETX, CR, LF = b"\x02", b"\x03", b"\r", b"\n"
MAX_FRAME = 64  # bytes: the longest answer of these protocols is about 30
SHOWN = 40  # bytes of a refused frame quoted in the error, for the technician

# ---------------------------------------------------------------- Mettler Toledo 8217
# Host sends one letter: W (weight), Z (zero), T (tare), C (clear tare). A stable weight is
# STX + weight + CR; otherwise STX + "?" + a status byte + CR. Status bits 0-4: motion, over
# capacity, under zero, outside zero-capture range, centre of zero (bit 5 set: printable).

TOLEDO_WEIGHT = re.compile(rb"\x02(\d{1,4}\.\d{1,3}|\d{1,6})\r")
TOLEDO_STATUS = re.compile(rb"\x02\?([\x20-\x3f])\r")
TOLEDO_BITS = {
    0x01: ScaleStatus.MOTION,
    0x02: ScaleStatus.OVER_CAPACITY,
    0x04: ScaleStatus.UNDER_ZERO,
    0x08: ScaleStatus.OUTSIDE_ZERO_RANGE,
    0x10: ScaleStatus.CENTER_OF_ZERO,
}


def parse_toledo_8217(frame: bytes, *, at: float | None = None) -> Reading:
    """Read an 8217 answer (STX … CR)."""
    at = time.time() if at is None else at
    _bounded(frame, "Toledo 8217")
    if match := TOLEDO_WEIGHT.fullmatch(frame):
        weight = _decimal(match.group(1))
        status = ScaleStatus.CENTER_OF_ZERO if weight == 0 else ScaleStatus.OK
        return Reading(weight, "kg", True, status, at)
    if match := TOLEDO_STATUS.fullmatch(frame):
        status = _flags(match.group(1)[0], TOLEDO_BITS)
        blocking = ScaleStatus.MOTION | ScaleStatus.OVER_CAPACITY | ScaleStatus.UNDER_ZERO
        return Reading(None, "kg", not (status & blocking), status, at)
    raise ScaleProtocolError(f"not a Toledo 8217 answer: {_shown(frame)}")


# ---------------------------------------------------------------- NCI / Weigh-Tronix SCP-02
# Host sends W CR. The scale answers LF + weight and unit + CR LF + two status bytes + CR
# ETX, or, when it has no weight to give, LF + the two status bytes + CR ETX.
# Byte 1: motion, at zero, RAM error, EEPROM error. Byte 2: under capacity, over capacity,
# ROM error, faulty calibration. Bits 4-5 are set in both (printable).

NCI_WEIGHT = re.compile(rb"\n *(-?\d{1,4}\.\d{1,3}|-?\d{1,6})(kg|lb|KG|LB)\r\n(..)\r\x03", re.S)
NCI_STATUS = re.compile(rb"\n(..)\r\x03", re.S)


def nci_status(pair: bytes) -> ScaleStatus:
    first, second = pair[0], pair[1]
    if first & 0x30 != 0x30 or second & 0x30 != 0x30:
        raise ScaleProtocolError(f"not NCI status bytes: {_shown(pair)}")
    status = ScaleStatus.OK
    if first & 0x01:
        status |= ScaleStatus.MOTION
    if first & 0x02:
        status |= ScaleStatus.CENTER_OF_ZERO
    if first & 0x0C or second & 0x0C:
        status |= ScaleStatus.ERROR
    if second & 0x01:
        status |= ScaleStatus.UNDER_ZERO
    if second & 0x02:
        status |= ScaleStatus.OVER_CAPACITY
    return status


def parse_nci(frame: bytes, *, at: float | None = None) -> Reading:
    """Read an SCP-02 answer (LF … ETX)."""
    at = time.time() if at is None else at
    _bounded(frame, "NCI SCP-02")
    if match := NCI_WEIGHT.fullmatch(frame):
        status = nci_status(match.group(3))
        unit = match.group(2).decode().lower()
        stable = not status & (ScaleStatus.MOTION | ScaleStatus.ERROR)
        return Reading(_decimal(match.group(1)), unit, stable, status, at)
    if match := NCI_STATUS.fullmatch(frame):
        return Reading(None, "kg", False, nci_status(match.group(1)), at)
    raise ScaleProtocolError(f"not an NCI SCP-02 answer: {_shown(frame)}")


# ---------------------------------------------------------------- MT-SICS
# Host sends S (stable weight) or SI (at once), Z (zero), T (tare), each + CR LF. Answers are
# lines: "S S <weight> <unit>" stable, "S D …" dynamic, "S I" busy, "S +" overload,
# "S -" underload; "ES", "ET", "EL" are syntax, transmission and logical errors.

# The weight is a right-aligned field of 10 characters, sign and decimal point included.
SICS_WEIGHT = re.compile(r"S ([SD]) +(-?[0-9]{1,10}(?:\.[0-9]{1,9})?) +([!-~]{1,5})")


def parse_sics(line: bytes, *, at: float | None = None) -> Reading:
    """Read an MT-SICS answer to S or SI (one line, CR LF included or not)."""
    at = time.time() if at is None else at
    text = _text(line)
    if match := SICS_WEIGHT.fullmatch(text):
        stable = match.group(1) == "S"
        status = ScaleStatus.OK if stable else ScaleStatus.MOTION
        return Reading(_decimal(match.group(2).encode()), match.group(3), stable, status, at)
    if text == "S +":
        return Reading(None, "kg", False, ScaleStatus.OVER_CAPACITY, at)
    if text == "S -":
        return Reading(None, "kg", False, ScaleStatus.UNDER_ZERO, at)
    if text == "S I":
        return Reading(None, "kg", False, ScaleStatus.MOTION, at)
    if text in ("ES", "ET", "EL"):
        raise ScaleProtocolError(
            {"ES": "the scale did not understand the command (syntax error)",
             "ET": "transmission error between host and scale",
             "EL": "the scale cannot execute the command now (logical error)"}[text]
        )  # fmt: skip
    raise ScaleProtocolError(f"not an MT-SICS answer: {_shown(line)}")


def parse_sics_done(line: bytes, command: str) -> None:
    """Check the answer to Z or T: done, or raise ScaleProtocolError with the reason."""
    text = _text(line)
    if text == f"{command} A" or (command == "T" and text.startswith("T S")):
        return
    reasons = {
        f"{command} I": "the scale is busy or unstable: try again",
        f"{command} +": "upper limit exceeded",
        f"{command} -": "lower limit exceeded",
    }
    raise ScaleProtocolError(reasons.get(text, f"unexpected answer to {command}: {_shown(line)}"))


def _bounded(frame: bytes, protocol: str) -> None:
    if len(frame) > MAX_FRAME:
        raise ScaleProtocolError(f"not a {protocol} answer: {len(frame)} bytes")


def _shown(frame: bytes) -> str:
    return repr(frame[:SHOWN]) + ("…" if len(frame) > SHOWN else "")


def _text(line: bytes) -> str:
    _bounded(line, "MT-SICS")
    try:
        return line.decode("ascii").strip("\r\n")
    except UnicodeDecodeError as exc:
        raise ScaleProtocolError(f"not ASCII: {_shown(line)}") from exc


def _decimal(value: bytes) -> Decimal:
    try:
        return Decimal(value.decode("ascii"))
    except (InvalidOperation, UnicodeDecodeError) as exc:
        raise ScaleProtocolError(f"not a weight: {_shown(value)}") from exc


def _flags(byte: int, bits: dict[int, ScaleStatus]) -> ScaleStatus:
    status = ScaleStatus.OK
    for bit, flag in bits.items():
        if byte & bit:
            status |= flag
    return status
