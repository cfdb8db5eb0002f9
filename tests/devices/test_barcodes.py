"""Codes a scanner or a cashier can produce, and what they mean."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.barcodes import BarcodeError, codes, is_store_label, normalize_gtin, parse_code
from devices.barcodes.codes import CodeKind


@pytest.mark.parametrize(
    ("code", "gtin"),
    [
        ("4006381333931", "04006381333931"),  # EAN-13
        ("036000291452", "00036000291452"),  # UPC-A, the GS1 General Specifications example
        ("96385074", "00000096385074"),  # EAN-8
        ("10036000291459", "10036000291459"),  # GTIN-14 of a case
        (" 4006381333931\r\n", "04006381333931"),  # scanner suffixes are stripped
    ],
)
def test_gtins_with_a_valid_check_digit_are_normalised_to_14_digits(code: str, gtin: str) -> None:
    scanned = parse_code(code)
    assert scanned.kind is CodeKind.GTIN
    assert scanned.gtin == gtin
    assert scanned.plu is None


@pytest.mark.parametrize("code", ["4006381333932", "036000291453", "96385075", "10036000291458"])
def test_a_wrong_check_digit_is_refused(code: str) -> None:
    with pytest.raises(BarcodeError, match="wrong check digit"):
        parse_code(code)


@pytest.mark.parametrize(("code", "plu"), [("4011", "4011"), ("94011", "94011"), ("3000", "3000")])
def test_produce_plus_are_recognised(code: str, plu: str) -> None:
    scanned = parse_code(code)
    assert (scanned.kind, scanned.plu, scanned.gtin) == (CodeKind.PLU, plu, None)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("34011", "start with 8 or 9"),
        ("401", "not a GTIN"),
        ("12345678901", "not a GTIN"),
        ("ABC", "only digits"),
        ("４０１１", "unexpected characters"),  # full-width digits: not what a scanner sends
        ("4011\x00", "unexpected characters"),
        ("9" * 129, "too long"),
    ],
)
def test_codes_that_cannot_be_products_are_refused_with_a_reason(code: str, message: str) -> None:
    with pytest.raises(BarcodeError, match=message):
        parse_code(code)


def test_normalize_refuses_plus_and_garbage() -> None:
    with pytest.raises(BarcodeError):
        normalize_gtin("4011")
    with pytest.raises(BarcodeError):
        normalize_gtin("40063813339x1")


@given(st.text(max_size=200))
def test_the_parser_raises_nothing_but_its_own_error(text: str) -> None:
    try:
        scanned = parse_code(text)
    except BarcodeError:
        return
    assert scanned.value.isdigit()


@given(st.from_regex(r"\A[0-9]{12}\Z"))
def test_every_ean13_with_its_computed_check_digit_is_accepted(body: str) -> None:
    weights = [1, 3] * 6
    check = (10 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 10) % 10
    assert parse_code(body + str(check)).gtin == "0" + body + str(check)


# ------------------------------------------------------------------ GS1, AIM, RCN, UPC-E

from datetime import date  # noqa: E402
from decimal import Decimal  # noqa: E402

from biip.checksums import gs1_price_weight_check_digit, gs1_standard_check_digit  # noqa: E402

from devices.barcodes import BarcodeRules, RcnLayout  # noqa: E402


def with_check_digit(body: str) -> str:
    return body + str(gs1_standard_check_digit(body))


def german_rcn(prefix_item: str, value: str) -> str:
    return with_check_digit(prefix_item + str(gs1_price_weight_check_digit(value)) + value)


GERMANY = BarcodeRules(rcn_region="de")


def test_upc_e_is_expanded_to_its_upc_a() -> None:
    # GS1 General Specifications: UPC-E 0425261 is UPC-A 042100005264
    assert parse_code("04252614").gtin == "00042100005264"


@pytest.mark.parametrize(
    ("code", "symbology"),
    [("]E04006381333931", "]E0"), ("]E496385074", "]E4"), ("]E0036000291452", "]E0")],
)
def test_aim_symbology_identifiers_are_recognised(code: str, symbology: str) -> None:
    scanned = parse_code(code)
    assert scanned.symbology == symbology
    assert scanned.gtin is not None


def test_a_german_weight_code_carries_its_weight_and_finds_the_item() -> None:
    code = german_rcn("281234", "00512")  # 28: weight in grams, with its check digit
    scanned = parse_code(code, rules=GERMANY)
    assert (scanned.weight_kg, scanned.price) == (Decimal("0.512"), None)
    assert scanned.gtin == "0" + with_check_digit(
        "281234" + str(gs1_price_weight_check_digit("00000")) + "00000"
    )


def test_a_german_price_code_carries_its_price() -> None:
    scanned = parse_code(german_rcn("221234", "00349"), rules=GERMANY)
    assert (scanned.price, scanned.weight_kg) == (Decimal("3.49"), None)


def test_a_german_count_code_gives_the_pieces_and_finds_the_item() -> None:
    # 25/26: a pack of loose pieces, its count where the price would be
    scanned = parse_code(german_rcn("251234", "00006"), rules=GERMANY)
    assert (scanned.count, scanned.price, scanned.weight_kg) == (6, None, None)
    assert scanned.gtin == "0" + german_rcn("251234", "00000")


@pytest.mark.parametrize("value", ["00000", "10000"])  # none, or more than a till rings
def test_a_count_code_must_carry_a_count_the_till_can_ring(value: str) -> None:
    with pytest.raises(BarcodeError, match="no count of pieces"):
        parse_code(german_rcn("251234", value), rules=GERMANY)


def test_a_store_layout_can_carry_a_count() -> None:
    layout = RcnLayout(measure="count", pattern="PPPPPPPPVVVV", decimals=0)
    scanned = parse_code(
        with_check_digit("020012340012"), rules=BarcodeRules(layouts={"02": layout})
    )
    assert (scanned.count, scanned.gtin) == (12, "0" + with_check_digit("020012340000"))
    with pytest.raises(ValueError, match="no decimals"):
        RcnLayout(measure="count", pattern="PPPPPPPPVVVV", decimals=1)


def test_a_wrong_price_check_digit_is_refused() -> None:
    good = german_rcn("221234", "00349")
    bad = with_check_digit(good[:6] + str((int(good[6]) + 1) % 10) + good[7:12])
    with pytest.raises(BarcodeError, match="check digit"):
        parse_code(bad, rules=GERMANY)


def test_a_swedish_weight_code_uses_the_swedish_layout() -> None:
    code = with_check_digit("23123456" + "0512")
    assert parse_code(code, rules=BarcodeRules(rcn_region="se")).weight_kg == Decimal("0.512")
    # Without the store's country, the same code is a plain GTIN (no measure to guess)
    assert parse_code(code).weight_kg is None


def test_a_store_can_define_its_own_layout_for_a_prefix() -> None:
    # US style: 02 + 5-digit item + price check digit + price in cents (4 digits)
    layout = RcnLayout(measure="price", pattern="PPPPPPPCVVVV", decimals=2)
    code = with_check_digit("0212345" + str(gs1_price_weight_check_digit("0199")) + "0199")
    scanned = parse_code(code, rules=BarcodeRules(layouts={"02": layout}))
    assert scanned.price == Decimal("1.99")
    assert scanned.gtin == "0" + with_check_digit(
        "0212345" + str(gs1_price_weight_check_digit("0000")) + "0000"
    )


GTIN_14 = with_check_digit("0401234500001")


def test_a_gs1_128_code_carries_gtin_weight_price_batch_and_expiry() -> None:
    # 392n (price) is of variable length: FNC1 ends it when more follows
    code = "]C1" + "01" + GTIN_14 + "3103000512" + "3922499\x1d" + "17261130" + "10ABC123"
    scanned = parse_code(code)
    assert scanned.gtin == GTIN_14
    assert (scanned.weight_kg, scanned.price) == (Decimal("0.512"), Decimal("4.99"))
    assert (scanned.expiry, scanned.batch) == (date(2026, 11, 30), "ABC123")
    assert scanned.expired(date(2026, 12, 1)) and not scanned.expired(date(2026, 11, 30))


def test_fnc1_separates_variable_length_fields() -> None:
    code = "]C1" + "01" + GTIN_14 + "10LOT7\x1d" + "17250101"
    scanned = parse_code(code)
    assert (scanned.batch, scanned.expiry) == ("LOT7", date(2025, 1, 1))


def test_a_gs1_label_read_without_symbology_or_fnc1_still_reads() -> None:
    # Scanners with AIM identifiers off and FNC1 dropped send the element strings bare: a
    # batch (letters allowed) that comes last is still unambiguous.
    scanned = parse_code("01" + GTIN_14 + "17261130" + "10AB-12")
    assert (scanned.gtin, scanned.expiry, scanned.batch) == (GTIN_14, date(2026, 11, 30), "AB-12")
    assert scanned.symbology is None


@pytest.mark.parametrize(
    ("batch", "rest"),
    [
        ("10AB-12", "17200101"),  # an expiry swallowed by the batch: an expired item would sell
        ("10AB12", "3922349"),  # a price
        ("10AB", "3103000512"),  # a weight
        ("10AB", "3006"),  # a count
    ],
)
def test_a_bare_gs1_label_whose_batch_may_hide_fields_is_refused(batch: str, rest: str) -> None:
    with pytest.raises(BarcodeError, match="cannot be told apart"):
        parse_code("01" + GTIN_14 + batch + rest)
    # With FNC1 after the batch, the same label reads whole.
    assert parse_code("01" + GTIN_14 + batch + "\x1d" + rest).batch == batch[2:]


def test_the_bare_gs1_rule_is_for_codes_without_a_symbology() -> None:
    # A Code 128 label of the store's own (]C0, not GS1's ]C1) is not a GS1 element string.
    with pytest.raises(BarcodeError):
        parse_code("]C0" + "01" + GTIN_14 + "10AB")


def test_a_gs1_count_of_items_gives_the_pieces() -> None:
    assert parse_code("]C1" + "01" + GTIN_14 + "3012").count == 12
    with pytest.raises(BarcodeError, match="no count of pieces"):
        parse_code("]C1" + "01" + GTIN_14 + "300")
    with pytest.raises(BarcodeError, match="no count of pieces"):
        parse_code("]C1" + "01" + GTIN_14 + "3012345678")
    with pytest.raises(BarcodeError, match="a count and a price"):
        parse_code("]C1" + "01" + GTIN_14 + "3922499\x1d" + "3012")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("01" + "04012345000017" + "10AB", "check digit"),
        ("01" + GTIN_14 + "ZZZZ", "Application Identifier"),
        ("]C1" + "10ABC", "no AI 01"),
        ("]C1" + "0104012345000017", "check digit"),
        ("]C1" + "99", "GS1"),
        ("]E0", "empty code after"),
        ("\x1d]", "not a product code"),
    ],
)
def test_bad_gs1_codes_are_refused(code: str, message: str) -> None:
    with pytest.raises(BarcodeError, match=message):
        parse_code(code)


SCANNER_LIKE = st.one_of(
    st.text(alphabet=st.sampled_from("0123456789]CEeQd1\x1d ABC\r\n"), max_size=60),
    st.from_regex(r"\A(\]C1)?(01[0-9]{14})?((10|21)[A-Z0-9]{1,10}\x1d)?(17[0-9]{6})?"
                  r"(310[0-9][0-9]{6})?\Z"),
)  # fmt: skip


@given(SCANNER_LIKE)
def test_the_parser_raises_nothing_but_its_own_error_on_scanner_like_input(text: str) -> None:
    for rules in (DEFAULT_RULES_FOR_TEST, GERMANY):
        try:
            scanned = parse_code(text, rules=rules)
        except BarcodeError:
            continue
        assert scanned.value.isdigit()


DEFAULT_RULES_FOR_TEST = BarcodeRules()


ALL_PREFIXES = frozenset(f"{n:02d}" for n in range(100))
RULE_SETS = [DEFAULT_RULES_FOR_TEST, GERMANY, BarcodeRules(rcn_region="se"),
             BarcodeRules(rcn_region="gb"),
             BarcodeRules(layouts={"04": RcnLayout("price", "PPPPPPPCVVVV", 2),
                                   "02": RcnLayout("count", "PPPPPPPPVVVV", 0)})]  # fmt: skip


def _read(code: str, rules: BarcodeRules) -> object:
    try:
        return parse_code(code, rules=rules)
    except BarcodeError as exc:
        return ("refused", "check digit" in str(exc))


@given(
    st.sampled_from([8, 12, 13, 14]),
    st.integers(0, 999),
    st.text(alphabet="0123456789", min_size=14, max_size=14),
    st.booleans(),
    st.sampled_from(RULE_SETS),
)
def test_a_plain_gtin_read_without_biip_reads_as_biip_reads_it(
    length: int, lead: int, digits: str, wrong: bool, rules: BarcodeRules
) -> None:
    """Codes that cannot carry a measure skip biip's general parse (a scan's hot path): for
    every prefix, format, country and store layout they must read exactly as through it."""
    body = (f"{lead:03d}" + digits)[: length - 1]
    code = body + str((gs1_standard_check_digit(body) + wrong) % 10)
    fast = _read(code, rules)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codes, "RCN_PREFIXES", ALL_PREFIXES)  # every code through biip
        assert _read(code, rules) == fast


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("2212340003495", True),  # EAN-13, prefix 22: a store's price label
        ("2912340003495", True),
        ("0212345000008", True),  # prefix 02: UPC-A number system 2 as an EAN-13
        ("212345000003", True),  # UPC-A number system 2 (random weight)
        ("4006381333931", False),  # a manufacturer's GTIN
        ("96385074", False),  # EAN-8
        ("00012345000058", False),
    ],
)
def test_a_label_the_store_prints_itself_is_known_by_its_prefix(code: str, label: bool) -> None:
    assert is_store_label(code.zfill(14)) is label
    assert is_store_label(code) is (len(code) == 14 and label)  # a GTIN-14 only
