"""Payment card numbers: the product never takes, keeps, logs or sends one.

Card payments go through an external terminal; a lane records the method, the amount, the
terminal's reference and the card's last four digits. What looks like a card number here:
13 to 19 digits (spaces or dashes between them allowed) that pass the Luhn check, standing
on their own (not part of a longer number, a word or a hexadecimal id); what a till refuses
as typed starts at 15 digits (TYPED_SHORTEST). A run of 13 or 14 digits with a valid GS1
check digit is read as a product's barcode (an EAN-13 or GTIN-14), not as a card: about
one in ten barcodes also passes the Luhn check, and a till must scan them. Magnetic-stripe
track data (`%B…^`, `;…=`), which a card swiped through a keyboard reader types, counts as
a card number too.
"""

from __future__ import annotations

import re

from stdnum import ean, luhn

# A run standing on its own: not inside a word or a hexadecimal id ("275e7208696242319…"),
# not the fraction of a decimal number ("succeeded in 0.02640365499996733s").
DIGIT_RUN = re.compile(
    r"(?<![0-9A-Za-z])(?<![0-9][ -])(?<![0-9][.,])"
    r"[0-9](?:[ -]?[0-9]){12,18}"
    r"(?![ -]?[0-9])(?![A-Za-z])"
)
TRACK_DATA = re.compile(r"%B[0-9]{12,19}\^|;[0-9]{12,19}=")


def card_numbers_in(text: str, *, shortest: int = 13) -> list[str]:
    """Return what looks like a payment card number in `text` (digits only), of `shortest`
    to 19 digits."""
    found = []
    for match in DIGIT_RUN.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if len(digits) < shortest or (len(digits) in (13, 14) and ean.is_valid(digits)):
            continue  # a product's barcode
        if luhn.is_valid(digits):
            found.append(digits)
    found.extend(re.sub(r"\D", "", m.group()) for m in TRACK_DATA.finditer(text))
    return found


# What a till refuses as typed: 15 to 19 digits. A 13- or 14-digit number cannot be told
# from a barcode typed with a wrong check digit (which the cashier must hear about as such);
# the schemes issue 15- to 19-digit numbers today (13-digit Visa numbers are no longer
# issued). Searches of what was kept (tests/e2e/test_no_card_data.py) look from 13 digits.
TYPED_SHORTEST = 15


def holds_card_number(text: str) -> bool:
    """True when typed text holds a card number of 15 to 19 digits or a card's track data."""
    return bool(card_numbers_in(text, shortest=TYPED_SHORTEST))
