"""Codes a scanner or a cashier can produce, and what they mean."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.barcodes import BarcodeError, normalize_gtin, parse_code
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
        ("４０１１", "only digits"),  # full-width digits are not what a scanner sends
        ("4011\x00", "only digits"),
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
