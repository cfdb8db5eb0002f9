"""The barcode parser fuzzed: whatever a scanner, a keyboard wedge or a cashier sends, it
answers a well-formed code or a BarcodeError, and every code made by GS1's rules reads back
as it was made. GTIN check digits are computed here, not by the parser's libraries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Literal

import pytest
from biip.checksums import gs1_price_weight_check_digit
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.barcodes import (
    DEFAULT_RULES,
    BarcodeError,
    BarcodeRules,
    CodeKind,
    RcnLayout,
    ScannedCode,
    parse_code,
)
from devices.barcodes.codes import MAX_CODE_LENGTH

FUZZ = settings(max_examples=300)
ROUND_TRIP = settings(max_examples=150)

FNC1 = "\x1d"
DIGITS = "0123456789"
# What GS1 allows in AI 10 (batch/lot): its "character set 82", less what a scanner strips.
CSET_82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
# Digits a scanner never sends but a keyboard, a paste or a label printer may: Arabic-Indic,
# extended Arabic-Indic, Devanagari, fullwidth, mathematical bold, NKo.
FOREIGN_DIGITS = "٣٤٠۳۴०३３４０𝟑߃"
CONTROL = "".join(map(chr, range(32))) + "\x7f\x85\u200b\u2028\ufeff"


def check_digit(body: str) -> str:
    """GS1's mod-10 check digit: weights 3, 1, 3, … from the right of the body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def digits(size: int) -> st.SearchStrategy[str]:
    return st.text(DIGITS, min_size=size, max_size=size)


def gtins(length: int) -> st.SearchStrategy[str]:
    """Valid GTINs of a length: 8 (EAN-8), 12 (UPC-A), 13 (EAN-13) or 14 (GTIN-14)."""
    return digits(length - 1).map(lambda body: body + check_digit(body))


ANY_GTIN = st.sampled_from([8, 12, 13, 14]).flatmap(gtins)
SCANNER_IDS = ["]E0", "]E4", "]C1", "]e0", "]d2", "]Q3", "]J1", "]A0", "]X9", "]"]
FRAGMENTS = st.one_of(
    st.text(DIGITS, max_size=16),
    ANY_GTIN,
    st.sampled_from(SCANNER_IDS),
    st.sampled_from(["01", "10", "17", "21", "3103", "3105", "3109", "3922", "3929", "00", "8200"]),
    st.sampled_from([FNC1, FNC1 * 2, " ", "\r\n", "\t", "\x00"]),
    st.text(FOREIGN_DIGITS, min_size=1, max_size=4),
    st.text(CSET_82, max_size=8),
    st.text(max_size=4),
)
HOSTILE = st.one_of(
    st.text(max_size=200),  # any unicode, surrogates and NUL included
    st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")),  # a serial line, as read
    st.lists(FRAGMENTS, max_size=10).map("".join),  # scanner-like, and nearly valid
    st.builds(lambda size, fill: fill * size, st.integers(120, 20_000), st.sampled_from("9٣\x1d ")),
)
RULES = st.sampled_from(
    [
        DEFAULT_RULES,
        BarcodeRules(rcn_region="de"),
        BarcodeRules(rcn_region="se"),
        BarcodeRules(rcn_region="gb"),
        BarcodeRules(rcn_region="dk"),
        BarcodeRules(rcn_region="xx"),  # not a region GS1 publishes layouts for
        BarcodeRules(layouts={"02": RcnLayout("price", "PPPPPPPCVVVV", 2)}),
        BarcodeRules(layouts={"28": RcnLayout("weight", "PPPPPPPPVVVV", 3)}),
    ]
)


def assert_well_formed(scanned: ScannedCode) -> None:
    """What the lane relies on in a parsed code."""
    assert scanned.value.isascii() and scanned.value.isdigit()
    if scanned.kind is CodeKind.GTIN:
        assert len(scanned.value) == 14
        assert check_digit(scanned.value[:-1]) == scanned.value[-1]
        assert scanned.plu is None
    else:
        assert scanned.kind is CodeKind.PLU
        assert len(scanned.value) == 4 or (len(scanned.value) == 5 and scanned.value[0] in "89")
        assert (scanned.gtin, scanned.price, scanned.weight_kg) == (None, None, None)
    if scanned.price is not None:
        assert scanned.price > 0 and scanned.price.as_tuple().exponent == -2
    if scanned.weight_kg is not None:
        assert scanned.weight_kg > 0 and scanned.weight_kg.as_tuple().exponent == -3
    if scanned.batch is not None:
        assert 1 <= len(scanned.batch) <= 20 and set(scanned.batch) <= set(CSET_82)
    if scanned.symbology is not None:
        assert len(scanned.symbology) == 3 and scanned.symbology.startswith("]")


# ------------------------------------------------------------------ anything in


@FUZZ
@given(HOSTILE, RULES)
def test_any_input_reads_as_a_well_formed_code_or_a_barcode_error(
    text: str, rules: BarcodeRules
) -> None:
    try:
        scanned = parse_code(text, rules=rules)
    except BarcodeError as refusal:
        assert str(refusal)  # a reason for the cashier
        return
    assert len(text) <= MAX_CODE_LENGTH
    assert_well_formed(scanned)


@FUZZ
@given(HOSTILE)
def test_the_gtin_of_an_accepted_code_reads_back_as_itself(text: str) -> None:
    try:
        scanned = parse_code(text)
    except BarcodeError:
        return
    if scanned.kind is CodeKind.GTIN and scanned.weight_kg is None and scanned.price is None:
        assert parse_code(scanned.value).gtin == scanned.value


@dataclass(frozen=True)
class Spoiled:
    code: str
    intruder: str


def spoiled(codes: st.SearchStrategy[str]) -> st.SearchStrategy[Spoiled]:
    """A valid code with a foreign digit or a control character put inside it."""

    @st.composite
    def build(draw: st.DrawFn) -> Spoiled:
        code = draw(codes)
        intruder = draw(st.sampled_from(FOREIGN_DIGITS + CONTROL.replace(FNC1, "")))
        at = draw(st.integers(1, len(code) - 1))
        return Spoiled(code[:at] + intruder + code[at:], intruder)

    return build()


def gs1_with_fnc1() -> st.SearchStrategy[str]:
    """A GS1 element string whose variable-length batch is ended by FNC1."""
    return st.builds(
        lambda gtin, batch: f"01{gtin}10{batch}{FNC1}17261130",
        gtins(14),
        st.text(CSET_82, min_size=1, max_size=20),
    )


@FUZZ
@given(spoiled(st.one_of(ANY_GTIN, gs1_with_fnc1(), gs1_with_fnc1().map("]C1".__add__))))
def test_foreign_digits_and_control_characters_are_unexpected(case: Spoiled) -> None:
    # FNC1 separates GS1 fields; no other control character belongs in a code, even one
    # that also carries FNC1s.
    with pytest.raises(BarcodeError, match="unexpected characters"):
        parse_code(case.code)


# ------------------------------------------------------------------ GTINs


def identified_gtins() -> st.SearchStrategy[tuple[str, str | None]]:
    """A valid GTIN, and the AIM identifier a scanner may put before it (]E4 is EAN-8's)."""
    return st.sampled_from([8, 12, 13, 14]).flatmap(
        lambda length: st.tuples(
            gtins(length), st.sampled_from([None, "]E0", *(["]E4"] if length == 8 else [])])
        )
    )


@ROUND_TRIP
@given(identified_gtins())
def test_every_valid_gtin_reads_back_as_its_gtin_14(case: tuple[str, str | None]) -> None:
    code, symbology = case
    scanned = parse_code(code if symbology is None else symbology + code)
    assert (scanned.kind, scanned.gtin, scanned.symbology) == (
        CodeKind.GTIN,
        code.zfill(14),
        symbology,
    )
    assert (scanned.price, scanned.weight_kg, scanned.expiry, scanned.batch) == (None,) * 4


@ROUND_TRIP
@given(ANY_GTIN, st.data())
def test_a_single_wrong_digit_never_reads_as_the_product(code: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(code) - 1), label="position")
    digit = data.draw(st.sampled_from(DIGITS.replace(code[at], "")), label="digit")
    typo = code[:at] + digit + code[at + 1 :]
    try:
        scanned = parse_code(typo)
    except BarcodeError as refusal:
        assert "check digit" in str(refusal)
        return
    # Only an 8-digit code can be two things: a typo in an EAN-8 may be a valid UPC-E.
    assert len(code) == 8 and typo[0] in "01"
    assert scanned.gtin != code.zfill(14)


# ------------------------------------------------------------------ GS1 element strings


@dataclass(frozen=True)
class Refused:
    reason: str


def expected_measure(measure: str, value: Decimal) -> Decimal | Refused:
    """What a code carrying `value` reads as: a weight rounded to the gram, a price in cents
    exactly, or a refusal (a label that weighs or costs nothing is broken)."""
    if measure == "weight":
        weight = value.quantize(Decimal("0.001"))
        return weight if weight > 0 else Refused("carries no weight")
    if value == 0:
        return Refused("carries no price")
    return value if value == value.quantize(Decimal("0.01")) else Refused("not in cents")


@dataclass(frozen=True)
class Gs1Code:
    text: str
    gtin: str
    weight_kg: Decimal | None
    price: Decimal | None
    expiry: date | None
    batch: str | None


@st.composite
def gs1_codes(draw: st.DrawFn) -> Gs1Code:
    """A GS1-128 / DataBar code: AI 01, and some of 310n, 392n, 17 and 10 in any order."""
    gtin = draw(gtins(14))
    fields: dict[str, tuple[str, bool]] = {}  # AI and value → (element string, variable?)
    weight = price = expiry = batch = None
    if draw(st.booleans()):
        decimals = draw(st.integers(0, 5))
        raw = draw(st.integers(0, 999_999))
        weight = Decimal(raw).scaleb(-decimals)
        fields["310"] = (f"310{decimals}{raw:06d}", False)
    if draw(st.booleans()):
        decimals = draw(st.integers(0, 4))
        raw = draw(st.integers(0, 10**12))
        price = Decimal(raw).scaleb(-decimals)
        fields["392"] = (f"392{decimals}{raw}", True)
    if draw(st.booleans()):
        # GS1 reads a two-digit year as within 49 years back and 50 ahead of today.
        expiry = datetime.now(UTC).date() + timedelta(days=draw(st.integers(-40 * 365, 40 * 365)))
        fields["17"] = (f"17{expiry:%y%m%d}", False)
    if draw(st.booleans()):
        batch = draw(st.text(CSET_82, min_size=1, max_size=20))
        fields["10"] = (f"10{batch}", True)
    order = draw(st.permutations(list(fields)))
    body = f"01{gtin}"
    for index, ai in enumerate(order):
        element, variable = fields[ai]
        body += element + (FNC1 if variable and index < len(order) - 1 else "")
    symbology = draw(st.sampled_from(["]C1", "]e0", "]d2", "]Q3", "]J1"]))
    return Gs1Code(symbology + body, gtin, weight, price, expiry, batch)


@ROUND_TRIP
@given(gs1_codes())
def test_a_gs1_code_reads_back_its_gtin_measure_expiry_and_batch(code: Gs1Code) -> None:
    expected = [
        expected_measure(measure, value)
        for measure, value in (("weight", code.weight_kg), ("price", code.price))
        if value is not None
    ]
    if reasons := [e.reason for e in expected if isinstance(e, Refused)]:
        with pytest.raises(BarcodeError, match="|".join(reasons)):
            parse_code(code.text)
        return
    scanned = parse_code(code.text)
    assert scanned.gtin == code.gtin
    assert scanned.weight_kg == (None if code.weight_kg is None else expected[0])
    assert scanned.price == (None if code.price is None else expected[-1])
    assert (scanned.expiry, scanned.batch) == (code.expiry, code.batch)


@FUZZ
@given(gs1_codes(), st.data())
def test_a_gs1_code_cut_short_or_padded_is_refused_or_well_formed(
    code: Gs1Code, data: st.DataObject
) -> None:
    cut = data.draw(st.integers(3, len(code.text)), label="cut")
    tail = data.draw(st.sampled_from([FNC1, "0", "17", "10", "3103", FNC1 + "21"]), label="tail")
    try:
        scanned = parse_code(code.text[:cut])
    except BarcodeError:
        pass
    else:
        assert_well_formed(scanned)
        assert scanned.gtin == code.gtin  # AI 01 comes first: a cut code names no other
    try:
        scanned = parse_code(code.text[:cut] + tail)
    except BarcodeError:
        return
    assert_well_formed(scanned)


# ------------------------------------------------------------------ variable-measure codes


def encode(layout: RcnLayout, item: str, value: str) -> str:
    """Return the EAN-13 that `layout` gives to `item` (the P digits) carrying `value`."""
    items, values = iter(item), iter(value)
    body = ""
    for role in layout.pattern:
        if role == "P":
            body += next(items)
        elif role == "V":
            body += next(values)
        else:
            body += str(gs1_price_weight_check_digit(value))
    return body + check_digit(body)


def zeroed(layout: RcnLayout, code: str) -> str:
    """Return the GTIN-14 of the item: the code with its measure (and its check) zeroed."""
    item = "".join(
        digit for digit, role in zip(code[:12], layout.pattern, strict=True) if role == "P"
    )
    return encode(layout, item, "0" * layout.pattern.count("V")).zfill(14)


@dataclass(frozen=True)
class Measured:
    layout: RcnLayout
    code: str
    value: Decimal


def layouts() -> st.SearchStrategy[RcnLayout]:
    """Any layout a store may define: PP, then P, V and at most one C (with 4 or 5 Vs)."""

    @st.composite
    def build(draw: st.DrawFn) -> RcnLayout:
        values = draw(st.integers(1, 10))
        checked = values in (4, 5) and draw(st.booleans())
        rest = ["V"] * values + ["C"] * checked
        rest += ["P"] * (10 - len(rest))
        pattern = "PP" + "".join(draw(st.permutations(rest)))
        measure = draw(st.sampled_from(["price", "weight"]))
        return RcnLayout(measure, pattern, draw(st.integers(0, 6)))

    return build()


# As GS1 publishes them (biip applies them by region); written here as store layouts.
PUBLISHED = {
    ("de", "28"): RcnLayout("weight", "PPPPPPCVVVVV", 3),
    ("de", "22"): RcnLayout("price", "PPPPPPCVVVVV", 2),
    ("se", "23"): RcnLayout("weight", "PPPPPPPPVVVV", 3),
    ("se", "20"): RcnLayout("price", "PPPPPPPPVVVV", 2),
    ("gb", "20"): RcnLayout("price", "PPPPPPPCVVVV", 2),
    ("dk", "26"): RcnLayout("weight", "PPPPPPVVVVVV", 3),
}


@st.composite
def measured(draw: st.DrawFn, layout: RcnLayout, prefix: str) -> Measured:
    item = prefix + draw(digits(layout.pattern.count("P") - 2))
    value = draw(digits(layout.pattern.count("V")))
    code = encode(layout, item, value)
    return Measured(layout, code, Decimal(value).scaleb(-layout.decimals))


def assert_reads_its_measure(scanned: ScannedCode | BarcodeError, case: Measured) -> None:
    expected = expected_measure(case.layout.measure, case.value)
    if isinstance(expected, Refused):
        assert isinstance(scanned, BarcodeError) and expected.reason in str(scanned), scanned
        return
    assert isinstance(scanned, ScannedCode), scanned
    assert scanned.gtin == zeroed(case.layout, case.code)
    if case.layout.measure == "weight":
        assert (scanned.weight_kg, scanned.price) == (expected, None)
    else:
        assert (scanned.price, scanned.weight_kg) == (expected, None)


def parsed(code: str, rules: BarcodeRules) -> ScannedCode | BarcodeError:
    try:
        return parse_code(code, rules=rules)
    except BarcodeError as refusal:
        return refusal


@st.composite
def published_codes(draw: st.DrawFn) -> tuple[str, Measured]:
    region, prefix = draw(st.sampled_from(sorted(PUBLISHED)))
    return region, draw(measured(PUBLISHED[region, prefix], prefix))


@st.composite
def store_layout_codes(draw: st.DrawFn) -> Measured:
    prefix = draw(st.sampled_from(["02", *map(str, range(20, 30))]))
    return draw(measured(draw(layouts()), prefix))


@ROUND_TRIP
@given(published_codes())
def test_a_published_variable_measure_code_reads_back_its_measure(
    case: tuple[str, Measured],
) -> None:
    region, code = case
    assert_reads_its_measure(parsed(code.code, BarcodeRules(rcn_region=region)), code)
    # The same layout, given by the store, reads the same
    store_rules = BarcodeRules(layouts={code.code[:2]: code.layout})
    assert_reads_its_measure(parsed(code.code, store_rules), code)


@ROUND_TRIP
@given(store_layout_codes())
def test_a_store_layout_reads_back_the_measure_it_encodes(case: Measured) -> None:
    rules = BarcodeRules(layouts={case.code[:2]: case.layout})
    assert_reads_its_measure(parsed(case.code, rules), case)


PATTERNS = st.one_of(
    st.text("PCV", min_size=12, max_size=12).map(lambda pattern: "PP" + pattern[2:]),
    st.text("PCV", min_size=12, max_size=12),
    st.text("PCVX", max_size=14),
)


@FUZZ
@given(
    st.sampled_from(["price", "weight"]),
    PATTERNS,
    st.one_of(st.integers(0, 6), st.integers(-40, 40)),
    st.sampled_from(["02", "20", "28"]),
    digits(10),
)
def test_a_layout_is_refused_when_made_or_reads_any_code_safely(
    measure: Literal["price", "weight"], pattern: str, decimals: int, prefix: str, rest: str
) -> None:
    try:
        layout = RcnLayout(measure, pattern, decimals)
    except ValueError:
        return  # refused when the store configures it, not at the till
    code = prefix + rest
    code += check_digit(code)
    try:
        scanned = parse_code(code, rules=BarcodeRules(layouts={prefix: layout}))
    except BarcodeError:
        return
    assert_well_formed(scanned)
