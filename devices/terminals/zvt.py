"""ZVT, the ECR interface of the payment terminals of Germany, Austria and Switzerland: its
APDUs (class, instruction, length, data), the BMPs (bitmaps) their data is made of, BCD
amounts, LLVAR fields, BER-TLV containers, and the commands a till sends.

An APDU's length is one byte, or 0xFF and two bytes (little-endian) for 255 and more. Every
message of the other side is acknowledged with 80 00 00. Nothing here reads a card number:
the terminal sends a masked PAN (its hidden digits as E nibbles), and only its last four
digits leave this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

ACK = b"\x80\x00\x00"
MAX_APDU = 65535 + 5

# Commands (class, instruction).
REGISTRATION = b"\x06\x00"
AUTHORISATION = b"\x06\x01"
COMPLETION = b"\x06\x0f"
ABORT_FROM_PT = b"\x06\x1e"
REPEAT_RECEIPT = b"\x06\x20"
REVERSAL = b"\x06\x30"
REFUND = b"\x06\x31"
END_OF_DAY = b"\x06\x50"
ABORT = b"\x06\xb0"
PRINT_LINE = b"\x06\xd1"
PRINT_TEXT_BLOCK = b"\x06\xd3"
STATUS_ENQUIRY = b"\x05\x01"
STATUS_INFORMATION = b"\x04\x0f"
INTERMEDIATE_STATUS = b"\x04\xff"

# BMP: its data's length (an int), or "LL"/"LLL" (an FxFy(Fz) length before it), or "TLV".
BMP_LENGTHS: dict[int, int | str] = {
    0x01: 1, 0x02: 1, 0x03: 1, 0x04: 6, 0x05: 1, 0x06: "TLV", 0x0B: 3, 0x0C: 3, 0x0D: 2,
    0x0E: 2, 0x17: 2, 0x19: 1, 0x22: "LL", 0x23: "LL", 0x24: "LLL", 0x27: 1, 0x29: 4,
    0x2A: 15, 0x2D: "LL", 0x2E: "LLL", 0x37: 3, 0x3A: 2, 0x3B: 8, 0x3C: "LLL", 0x3D: 3,
    0x49: 2, 0x60: "LLL", 0x87: 2, 0x88: 3, 0x8A: 1, 0x8B: "LL", 0x8C: 1, 0x9A: "LLL",
    0xA0: 1, 0xA7: "LL", 0xAA: 3, 0xAF: "LLL", 0xBA: 5, 0xD0: 1, 0xD1: "LL", 0xD2: 1,
    0xD3: 1, 0xE0: 1, 0xE9: 1, 0xEA: 1, 0xEB: 8, 0xF0: 1, 0xF9: 1, 0xFA: 1, 0xFB: 1,
    0xFC: 1, 0xFD: 1,
    **{bmp: "LL" for bmp in range(0xE1, 0xE9)}, **{bmp: "LL" for bmp in range(0xF1, 0xF9)},
}  # fmt: skip
# ZVT card types (BMP 8A) a till meets.
CARD_TYPES = {5: "girocard", 6: "Mastercard", 8: "American Express", 10: "Visa",
              11: "Visa Electron", 12: "Diners", 13: "V PAY", 14: "JCB", 46: "Maestro"}  # fmt: skip
# Result codes (BMP 27, and the one byte of 06 1E) a cashier is told about.
RESULT_TEXTS = {
    0x00: "approved", 0x05: "declined by the card issuer", 0x33: "card expired",
    0x51: "insufficient funds", 0x55: "wrong PIN", 0x64: "card not readable",
    0x65: "card data not present", 0x66: "processing error", 0x6A: "turnover file full",
    0x6B: "terminal not registered", 0x6C: "aborted (timeout or abort key)",
    0x6E: "card on the blocked list", 0x6F: "wrong currency", 0x78: "card expired",
    0x79: "card not yet valid", 0x7A: "card unknown", 0x7D: "communication error",
    0x83: "function not possible", 0x9A: "ZVT protocol error", 0x9C: "please wait",
    0xA0: "receiver not ready", 0xFF: "system error",
}  # fmt: skip
# Intermediate status (04 FF): what the terminal shows the customer.
PROMPTS = {
    0x00: "PT is waiting for amount confirmation", 0x01: "please watch PIN-pad",
    0x02: "please watch PIN-pad", 0x03: "not accepted", 0x04: "PT is waiting for response",
    0x05: "PT is sending auto-reversal", 0x06: "PT is sending post-bookings",
    0x07: "card not admitted", 0x08: "card unknown / undefined", 0x09: "expired card",
    0x0A: "insert card", 0x0B: "please remove card", 0x0C: "card not readable",
    0x0D: "processing error", 0x0E: "please wait", 0x0F: "PT is commencing an automatic "
    "end-of-day batch", 0x10: "invalid card", 0x17: "please wait", 0x19: "wrong PIN",
    0x1C: "approved, please fill up", 0x1D: "approved", 0x1E: "declined",
    0x20: "incorrect PIN, try again", 0x26: "amount too large", 0x27: "PIN try limit "
    "exceeded", 0x41: "please insert card (only chip)", 0x42: "use chip reader",
}  # fmt: skip


class ZvtError(ValueError):
    """What the terminal sent is not ZVT (truncated, a wrong length, an unknown BMP...)."""


@dataclass(frozen=True, slots=True)
class Apdu:
    command: bytes  # class and instruction
    data: bytes = b""

    def encode(self) -> bytes:
        n = len(self.data)
        if n > 0xFFFF:
            raise ZvtError("an APDU carries at most 65535 bytes")
        length = bytes([n]) if n < 0xFF else b"\xff" + n.to_bytes(2, "little")
        return self.command + length + self.data

    def __str__(self) -> str:
        return f"{self.command.hex(' ')} ({len(self.data)} bytes)"


def read_apdu(buffer: bytes | bytearray) -> tuple[Apdu, int] | None:
    """The first APDU in `buffer` and the bytes it takes, or None while it is incomplete."""
    if len(buffer) < 3:
        return None
    length, start = buffer[2], 3
    if length == 0xFF:
        if len(buffer) < 5:
            return None
        length, start = int.from_bytes(buffer[3:5], "little"), 5
    if len(buffer) < start + length:
        return None
    return Apdu(bytes(buffer[:2]), bytes(buffer[start : start + length])), start + length


def bcd(number: int, size: int) -> bytes:
    """`number` as `size` bytes of packed BCD, leading zeros."""
    digits = f"{number:0{size * 2}d}"
    if number < 0 or len(digits) > size * 2:
        raise ZvtError(f"{number} does not fit in {size} BCD bytes")
    return bytes.fromhex(digits)


def from_bcd(data: bytes, *, masked: bool = False) -> str:
    """The digits of packed BCD; a masked PAN's hidden digits (E) as '*' when `masked`."""
    digits = data.hex().upper()
    if masked:
        digits = digits.replace("E", "*").rstrip("F")
    if not all(c.isdigit() or (masked and c == "*") for c in digits):
        raise ZvtError(f"{data.hex()} is not BCD")
    return digits


def amount_bcd(amount: Decimal) -> bytes:
    """An amount in the currency (12.50) as BMP 04's six BCD bytes of cents."""
    cents = amount * 100
    if cents != cents.to_integral_value() or cents < 0:
        raise ZvtError(f"{amount} is not a positive amount in cents")
    return bcd(int(cents), 6)


def _var_length(data: bytes, at: int, digits: int) -> tuple[int, int]:
    if at + digits > len(data):
        raise ZvtError("a length field is cut short")
    nibbles = data[at : at + digits]
    if any(b >> 4 != 0xF or b & 0xF > 9 for b in nibbles):
        raise ZvtError(f"{nibbles.hex()} is not an LL(L)VAR length")
    return int("".join(str(b & 0xF) for b in nibbles)), at + digits


def ber_length(data: bytes, at: int) -> tuple[int, int]:
    if at >= len(data):
        raise ZvtError("a TLV length is missing")
    first = data[at]
    if first < 0x80:
        return first, at + 1
    count = first & 0x7F
    if not 1 <= count <= 2 or at + 1 + count > len(data):
        raise ZvtError("a TLV length is malformed")
    return int.from_bytes(data[at + 1 : at + 1 + count], "big"), at + 1 + count


def parse_bmps(data: bytes) -> list[tuple[int, bytes]]:
    """The BMPs of an APDU's data, in order: (number, value)."""
    fields: list[tuple[int, bytes]] = []
    at = 0
    while at < len(data):
        bmp = data[at]
        kind = BMP_LENGTHS.get(bmp)
        if kind is None:
            raise ZvtError(f"unknown BMP {bmp:02X}")
        at += 1
        if kind == "TLV":
            size, at = ber_length(data, at)
        elif kind in ("LL", "LLL"):
            size, at = _var_length(data, at, len(str(kind)))
        else:
            size = int(kind)
        if at + size > len(data):
            raise ZvtError(f"BMP {bmp:02X} is cut short")
        fields.append((bmp, data[at : at + size]))
        at += size
    return fields


@dataclass(frozen=True, slots=True)
class Tlv:
    tag: bytes
    value: bytes
    children: tuple[Tlv, ...] = ()


def parse_tlv(data: bytes, depth: int = 0) -> tuple[Tlv, ...]:
    """A BER-TLV container's objects (constructed ones with their children)."""
    if depth > 4:
        raise ZvtError("TLV nested too deep")
    items: list[Tlv] = []
    at = 0
    while at < len(data):
        start = at
        if data[at] & 0x1F == 0x1F:  # a tag of more bytes: while the high bit is set
            at += 1
            while at < len(data) and data[at] & 0x80:
                at += 1
        at += 1
        if at > len(data) or at - start > 3:
            raise ZvtError("a TLV tag is malformed")
        tag = data[start:at]
        size, at = ber_length(data, at)
        if at + size > len(data):
            raise ZvtError(f"TLV {tag.hex()} is cut short")
        value = data[at : at + size]
        at += size
        constructed = bool(tag[0] & 0x20)
        items.append(Tlv(tag, value, parse_tlv(value, depth + 1) if constructed else ()))
    return tuple(items)


def ber_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    return b"\x81" + bytes([n]) if n < 0x100 else b"\x82" + n.to_bytes(2, "big")


def tlv(tag: bytes, value: bytes) -> bytes:
    return tag + ber_len(len(value)) + value


def container(content: bytes) -> bytes:
    """BMP 06: a TLV container of these objects."""
    return b"\x06" + ber_len(len(content)) + content


def llvar(value: bytes, digits: int = 2) -> bytes:
    if len(value) >= 10**digits:
        raise ZvtError("too long for its length field")
    return bytes(0xF0 | int(c) for c in f"{len(value):0{digits}d}") + value


# What the till sends -------------------------------------------------------------------

# Registration's config byte: the ECR prints the payment and the administration receipts
# (0x02, 0x04), the PT sends intermediate status (0x08), amounts are entered at the ECR
# only (0x10), administration at the PT is not possible (0x20), and print lines come as
# text blocks (0x80).
CONFIG_BYTE = 0x02 | 0x04 | 0x08 | 0x10 | 0x20 | 0x80
EURO = 978


def registration(password: int, *, currency: int = EURO) -> Apdu:
    return Apdu(REGISTRATION, bcd(password, 3) + bytes([CONFIG_BYTE]) + bcd(currency, 2))


def authorisation(amount: Decimal, *, currency: int = EURO) -> Apdu:
    return Apdu(AUTHORISATION, b"\x04" + amount_bcd(amount) + b"\x49" + bcd(currency, 2))


def reversal(password: int, receipt: int) -> Apdu:
    return Apdu(REVERSAL, bcd(password, 3) + b"\x87" + bcd(receipt, 2))


def refund(password: int, amount: Decimal) -> Apdu:
    return Apdu(REFUND, bcd(password, 3) + b"\x04" + amount_bcd(amount))


def end_of_day(password: int) -> Apdu:
    return Apdu(END_OF_DAY, bcd(password, 3))


def repeat_receipt(password: int) -> Apdu:
    return Apdu(REPEAT_RECEIPT, bcd(password, 3))


def abort() -> Apdu:
    return Apdu(ABORT)


# What the terminal says ----------------------------------------------------------------


@dataclass
class StatusInformation:
    """A transaction's outcome as the terminal reports it (04 0F)."""

    result: int = 0xFF
    amount: Decimal | None = None
    trace: str = ""
    receipt: str = ""
    turnover: str = ""
    terminal_id: str = ""
    card_type: str = ""
    card_last4: str = ""
    card_name: str = ""
    when: str = ""  # MMDD hhmmss as the terminal gave it
    totals: dict[str, str] = field(default_factory=dict)

    @property
    def approved(self) -> bool:
        return self.result == 0

    @property
    def reference(self) -> str:
        """What names the transaction at the terminal: terminal, trace and receipt numbers."""
        return "-".join(p for p in (self.terminal_id, self.trace, self.receipt) if p)


# BMPs of the status information kept as their BCD digits: the field each fills.
_BCD_FIELDS = {0x0B: "trace", 0x87: "receipt", 0x88: "turnover", 0x29: "terminal_id",
               0x0C: "_time", 0x0D: "_date"}  # fmt: skip


def status_information(data: bytes) -> StatusInformation:
    """The outcome in a 04 0F's data (masked card number: only its last four digits kept)."""
    info = StatusInformation()
    digits: dict[str, str] = {}
    for bmp, value in parse_bmps(data):
        if bmp in _BCD_FIELDS:
            digits[_BCD_FIELDS[bmp]] = from_bcd(value)
        elif bmp == 0x27:
            info.result = value[0]
        elif bmp == 0x04:
            info.amount = Decimal(int(from_bcd(value))).scaleb(-2)
        elif bmp == 0x22:
            last = from_bcd(value, masked=True)[-4:]
            info.card_last4 = last if last.isdigit() else ""
        elif bmp == 0x8A:
            info.card_type = CARD_TYPES.get(value[0], f"card type {value[0]}")
        elif bmp == 0x8B:
            info.card_name = _ascii(value)
    info.trace, info.receipt = digits.get("trace", ""), digits.get("receipt", "")
    info.turnover, info.terminal_id = digits.get("turnover", ""), digits.get("terminal_id", "")
    info.when = f"{digits.get('_date', '')} {digits.get('_time', '')}".strip()
    info.card_type = info.card_type or info.card_name
    return info


def print_lines(apdu: Apdu) -> tuple[str, list[str]]:
    """A print command's receipt type (customer, merchant, administration) and its lines:
    06 D1 (one line after an attribute byte) or 06 D3 (a TLV container of text lines)."""
    if apdu.command == PRINT_LINE:
        if not apdu.data:
            raise ZvtError("a print line without its attribute")
        return "", [_ascii(apdu.data[1:])]
    fields = parse_bmps(apdu.data)
    container = next((value for bmp, value in fields if bmp == 0x06), None)
    if container is None:
        raise ZvtError("a text block without its TLV container")
    kind, lines = "", []
    for item in parse_tlv(container):
        if item.tag == b"\x1f\x07" and item.value:
            kind = {1: "merchant", 2: "customer", 3: "administration"}.get(item.value[0], "")
        for child in item.children:
            if child.tag == b"\x07":
                lines.append(_ascii(child.value))
    return kind, lines


def _ascii(value: bytes) -> str:
    text = value.decode("latin-1")
    return "".join(c if c.isprintable() else " " for c in text).rstrip()


def result_text(code: int) -> str:
    if code in RESULT_TEXTS:
        return RESULT_TEXTS[code]
    if 1 <= code <= 0x63:
        return f"declined by the card's network (code {code:02X})"
    return f"refused (code {code:02X})"
