"""What a scanned or typed code means.

GS1's rules come from biip: EAN-13, EAN-8, UPC-A, UPC-E (expanded), GTIN-14 check digits,
AIM symbology identifiers (`]E0`, `]E4`, `]C1`, `]e0`, …), GS1-128 / DataBar element strings
(01 GTIN, 10 batch, 17 expiry, 310n net weight, 392n price, FNC1 as `\\x1d`) and the
published layouts of restricted-circulation numbers (prefix 02, 20-29) per country. A
store may add or override a layout per prefix (`RcnLayout`). Produce PLUs are 4 or 5
digits. GTINs are normalised to 14 digits, so that an EAN-13, its UPC-A form and a GTIN-14
find the product under one key; a variable-measure code is looked up with its measure
zeroed, as GS1 specifies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

import biip
from biip.checksums import gs1_price_weight_check_digit, gs1_standard_check_digit
from biip.rcn import Rcn, RcnRegion
from stdnum import ean

MAX_CODE_LENGTH = 128
FNC1 = "\x1d"
GTIN_LENGTHS = frozenset({8, 12, 13, 14})
PLU_LENGTHS = frozenset({4, 5})
GS1_SYMBOLOGIES = frozenset({"]C1", "]e0", "]e1", "]e2", "]d2", "]Q3", "]J1"})
WEIGHT_KG_AIS = frozenset(f"310{n}" for n in range(10))
COUNT_AI = "30"  # variable count of items
MAX_COUNT = 9999
PRICE_AIS = frozenset(f"392{n}" for n in range(10))
MAX_MEASURE_DECIMALS = 6
# Restricted-circulation prefixes of a GTIN-13 (digits 2-3 of its GTIN-14): the only codes
# that can carry a price, a weight or a count, by GS1's or a store's layout.
RCN_PREFIXES = frozenset({"02", *(f"2{n}" for n in range(10))})
CENT = Decimal("0.01")
GRAM = Decimal("0.001")


class BarcodeError(ValueError):
    """A code that cannot be a product code; the message says why, for the cashier."""


class CodeKind(StrEnum):
    GTIN = "gtin"
    PLU = "plu"


@dataclass(frozen=True, slots=True)
class RcnLayout:
    """How a restricted-circulation number carries its measure: `pattern` spans digits 1-12
    of the EAN-13 with P (prefix and item), C (the measure's check digit), V (the value)."""

    measure: Literal["price", "weight", "count"]
    pattern: str
    decimals: int

    def __post_init__(self) -> None:
        if (
            len(self.pattern) != 12
            or set(self.pattern) - {"P", "C", "V"}
            or "V" not in self.pattern
            or not self.pattern.startswith("PP")
        ):
            raise ValueError(
                f"an RCN pattern is 12 of P, C and V, starting with its prefix PP, "
                f"not {self.pattern!r}"
            )
        # GS1's measure check digit is defined over 4 or 5 digits only.
        if self.pattern.count("C") > 1 or (
            "C" in self.pattern and self.pattern.count("V") not in (4, 5)
        ):
            raise ValueError(f"{self.pattern!r}: one C at most, checking 4 or 5 V digits")
        if not 0 <= self.decimals <= MAX_MEASURE_DECIMALS:
            raise ValueError(f"an RCN value has 0 to {MAX_MEASURE_DECIMALS} decimals")
        if self.measure == "count" and self.decimals:
            raise ValueError("a count has no decimals")

    def decode(self, code13: str) -> tuple[str, Decimal]:
        """Return the item's code with the measure zeroed, and the measure."""
        value_at = [i for i, c in enumerate(self.pattern) if c == "V"]
        value = "".join(code13[i] for i in value_at)
        if "C" in self.pattern:
            check_at = self.pattern.index("C")
            if int(code13[check_at]) != gs1_price_weight_check_digit(value):
                raise BarcodeError(f"{code13}: the price or weight check digit is wrong")
        zeroed = [c if self.pattern[i] == "P" else "0" for i, c in enumerate(code13[:12])]
        if "C" in self.pattern:
            zeroed[self.pattern.index("C")] = str(gs1_price_weight_check_digit("0" * len(value)))
        body = "".join(zeroed)
        return body + str(gs1_standard_check_digit(body)), Decimal(value).scaleb(-self.decimals)


@dataclass(frozen=True, slots=True)
class BarcodeRules:
    """A store's rules: its country's RCN layouts (ISO 3166 code, as GS1 publishes them),
    and its own layouts per two-digit prefix, which win."""

    rcn_region: str | None = None
    layouts: Mapping[str, RcnLayout] = field(default_factory=dict)


DEFAULT_RULES = BarcodeRules()
# The countries whose GS1 member organisation publishes layouts for price, weight and count
# labels, as the store's country setting names them (ISO 3166, lower case).
RCN_COUNTRIES = frozenset(region.value for region in RcnRegion)


def is_store_label(value: str) -> bool:
    """Whether a GTIN-14 is a restricted-circulation number a store prints itself: the
    EAN-13 prefixes 20-29 and 02 (which UPC-A's number system 2 becomes)."""
    return len(value) == 14 and (value[1] == "2" or value[1:3] == "02")


@dataclass(frozen=True, slots=True)
class ScannedCode:
    kind: CodeKind
    value: str  # GTIN-14 to look the product up (measure zeroed), or the PLU
    price: Decimal | None = None  # carried by the code: wins over the price book
    weight_kg: Decimal | None = None
    count: int | None = None  # pieces in the labelled pack: the line's quantity
    expiry: date | None = None
    batch: str | None = None
    symbology: str | None = None

    @property
    def gtin(self) -> str | None:
        return self.value if self.kind is CodeKind.GTIN else None

    @property
    def plu(self) -> str | None:
        return self.value if self.kind is CodeKind.PLU else None

    def expired(self, today: date) -> bool:
        return self.expiry is not None and self.expiry < today


def normalize_gtin(code: str) -> str:
    """Return the GTIN-14 form of an EAN-8/UPC-A/EAN-13/GTIN-14, or raise BarcodeError."""
    if not code.isascii() or not code.isdigit() or len(code) not in GTIN_LENGTHS:
        raise BarcodeError(f"{code!r} is not a GTIN: expected 8, 12, 13 or 14 digits")
    # The digits are checked above: the check digit alone is left (stdnum's validate would
    # clean the string again, which costs more than the sum for a 200k-product catalogue).
    if ean.calc_check_digit(code[:-1]) != code[-1]:
        raise BarcodeError(f"{code} has a wrong check digit")
    return code.zfill(14)


def parse_code(raw: str, *, rules: BarcodeRules = DEFAULT_RULES) -> ScannedCode:
    """Return what a scanned or typed code means, or raise BarcodeError (and nothing else)."""
    if len(raw) > MAX_CODE_LENGTH:
        raise BarcodeError(f"code is too long ({len(raw)} characters)")
    code = raw.strip(" \r\n\t")
    if not code:
        raise BarcodeError("empty code")
    if not code.isascii() or not code.replace(FNC1, "").isprintable():
        raise BarcodeError(f"{code!r} is not a product code: unexpected characters")
    symbology = code[:3] if code.startswith("]") else None
    data = code[3:] if symbology else code
    if not data:
        raise BarcodeError("empty code after its symbology identifier")
    if symbology in GS1_SYMBOLOGIES or FNC1 in data or (data.isdigit() and len(data) > 14):
        return _element_strings(data, symbology)
    if symbology is None and len(data) > 16 and data.startswith("01") and data[2:16].isdigit():
        # A GS1-128 or DataBar label read by a scanner sending neither its symbology nor
        # FNC1: a GTIN then a batch (letters allowed) still reads when the batch comes last.
        return _element_strings(data, symbology, bare=True)
    if not data.isdigit():
        raise BarcodeError(f"{data!r} is not a product code: only digits are expected")
    if len(data) in PLU_LENGTHS and symbology is None:
        return ScannedCode(CodeKind.PLU, _valid_plu(data))
    return _gtin(data, symbology, rules)


def _gtin(data: str, symbology: str | None, rules: BarcodeRules) -> ScannedCode:
    prefix = data.zfill(14)[1:3]
    if (
        len(data) in GTIN_LENGTHS
        and prefix not in RCN_PREFIXES
        and prefix not in rules.layouts
        and ean.calc_check_digit(data[:-1]) == data[-1]
    ):
        # Most scans: a valid GTIN that cannot carry a measure is itself (biip's general
        # parse tries every GS1 format in turn, a tenth of a scan's time). Anything else,
        # an eight-digit UPC-E among them, goes through biip.
        return ScannedCode(CodeKind.GTIN, data.zfill(14), symbology=symbology)
    if len(data) not in GTIN_LENGTHS and not (len(data) in (6, 7) and symbology in (None, "]E0")):
        raise BarcodeError(f"{data!r} is not a GTIN: expected 8, 12, 13 or 14 digits")
    result = _biip(data, biip.ParseConfig(rcn_region=rules.rcn_region))
    gtin = result.gtin
    if gtin is None:
        reason = result.gtin_error or result.upc_error or "not a GTIN"
        raise BarcodeError("wrong check digit" if "check digit" in reason else reason)
    layout = rules.layouts.get(gtin.value.zfill(14)[1:3]) if isinstance(gtin, Rcn) else None
    if layout is not None:
        base, measure = layout.decode(gtin.as_gtin_13())
        return _measured(base, layout.measure, measure, symbology)
    if isinstance(gtin, Rcn) and (gtin.weight is not None or gtin.price is not None):
        base = gtin.without_variable_measure().value
        measure_kind = "weight" if gtin.weight is not None else "price"
        return _measured(base, measure_kind, gtin.weight or gtin.price, symbology)
    if isinstance(gtin, Rcn) and gtin.count is not None:
        base = gtin.without_variable_measure().value
        return _measured(base, "count", Decimal(gtin.count), symbology)
    return ScannedCode(CodeKind.GTIN, normalize_gtin(gtin.value), symbology=symbology)


def _measured(base: str, measure: str, value: Decimal | None, symbology: str | None) -> ScannedCode:
    gtin = normalize_gtin(base)
    if measure == "weight":
        return ScannedCode(CodeKind.GTIN, gtin, weight_kg=_weight(value, base),
                           symbology=symbology)  # fmt: skip
    if measure == "count":
        return ScannedCode(CodeKind.GTIN, gtin, count=_count(value, base), symbology=symbology)
    return ScannedCode(CodeKind.GTIN, gtin, price=_price(value, base), symbology=symbology)


def _weight(value: Decimal | None, code: str) -> Decimal:
    """Return a code's weight in grams, or raise BarcodeError if it carries none."""
    weight = None if value is None else value.quantize(GRAM)
    if weight is None or weight <= 0:
        raise BarcodeError(f"{code}: the code carries no weight")
    return weight


def _count(value: Decimal | None, code: str) -> int:
    """Return a code's count of pieces, or raise BarcodeError if it carries none."""
    if value is None or value != value.to_integral_value() or not 1 <= value <= MAX_COUNT:
        raise BarcodeError(f"{code}: the code carries no count of pieces")
    return int(value)


def _price(value: Decimal | None, code: str) -> Decimal:
    """Return a code's price in cents, or raise BarcodeError: a label price is never rounded,
    and a price of nothing is a broken label, not a free item."""
    if value is None or value <= 0:
        raise BarcodeError(f"{code}: the code carries no price")
    price = value.quantize(CENT)
    if price != value:
        raise BarcodeError(f"{code}: the price {value} is not in cents")
    return price


# Without FNC1 a variable-length value runs to the end of the code: one that holds what
# reads as an expiry, a weight, a price or a count may have swallowed them.
SWALLOWED_AI = re.compile(r"1[1-7]\d{6}|31\d{8}|39[23]\d{2,}|30\d{2,}")


def _element_strings(data: str, symbology: str | None, *, bare: bool = False) -> ScannedCode:
    # The element strings are the same whatever carried them: biip is given them without
    # the AIM identifier, as it does not know them all (DotCode's ]J1).
    result = _biip(data, biip.ParseConfig(separator_chars=(FNC1,)))
    message = result.gs1_message
    if message is None:
        raise BarcodeError(result.gs1_message_error or "not a GS1 code")
    if bare and any(
        e.ai.separator_required and SWALLOWED_AI.search(e.value) for e in message.element_strings
    ):
        raise BarcodeError(
            "this label's fields cannot be told apart (the scanner drops FNC1): set it to "
            "send FNC1 as GS, or key the product number"
        )
    gtin = price = weight = count = expiry = batch = None
    for element in message.element_strings:
        ai = element.ai.ai
        if ai == "01":
            gtin = element.value
        elif ai == "10":
            batch = element.value
        elif ai == "17":
            expiry = element.date
        elif ai in WEIGHT_KG_AIS:
            weight = _implied_decimals(element.value, ai)
        elif ai in PRICE_AIS:
            price = _implied_decimals(element.value, ai)
        elif ai == COUNT_AI:
            count = Decimal(element.value) if element.value.isdigit() else Decimal("NaN")
    if gtin is None:
        raise BarcodeError("the GS1 code names no product (no AI 01)")
    if count is not None and (price is not None or weight is not None):
        raise BarcodeError("the label gives a count and a price or weight: the till rings one")
    return ScannedCode(
        CodeKind.GTIN,
        normalize_gtin(gtin),
        price=None if price is None else _price(price, gtin),
        weight_kg=None if weight is None else _weight(weight, gtin),
        count=None if count is None else _count(count, gtin),
        expiry=expiry,
        batch=batch,
        symbology=symbology,
    )


def _implied_decimals(value: str, ai: str) -> Decimal:
    # The AI's last digit says how many of the value's digits are decimals. biip's own
    # `decimal` is wrong when the value is shorter than that: 3922 "5" is 0.05, not 0.5.
    return Decimal(value).scaleb(-int(ai[3]))


def _biip(value: str, config: biip.ParseConfig) -> biip.ParseResult:
    # Hostile input reaches the library's corners (an IndexError on "]" at the end, seen by
    # fuzzing): whatever it raises, the cashier gets a BarcodeError.
    try:
        return biip.parse(value, config=config)
    except (biip.BiipException, ValueError, LookupError, TypeError, ArithmeticError) as exc:
        raise BarcodeError(f"{value!r} is not a product code") from exc


def _valid_plu(code: str) -> str:
    # IFPS PLUs are 3000-4999 (conventional) and 83000-84999 / 93000-94999 (organic);
    # stores also assign their own four-digit codes, so any 4 digits are accepted, and
    # five-digit codes must carry the 8 or 9 prefix.
    if len(code) == 5 and code[0] not in "89":
        raise BarcodeError(f"{code} is not a PLU: five-digit PLUs start with 8 or 9")
    return code
