"""Payment card numbers: the product never takes, keeps, logs or sends one.

Card payments go through an external terminal; a lane records the method, the amount, the
terminal's reference and the card's last four digits. What looks like a card number here:
13 to 19 digits (in any script; spaces or dashes between them allowed) that start with a
payment card's industry digit (2-6), pass the Luhn check and stand on their own (not part
of a longer number, a word or a hexadecimal id). A run of 13 or 14 digits with a valid GS1
check digit is read as a product's barcode (an EAN-13 or GTIN-14), not as a card: about
one in ten barcodes also passes the Luhn check, and a till must scan them. Magnetic-stripe
track data (`%B…^`, `;…=`), which a card swiped through a keyboard reader types, counts as
a card number too.
"""

from __future__ import annotations

import re
import unicodedata

from stdnum import ean, luhn

# A run standing on its own: not inside a word or a hexadecimal id ("275e7208696242319…",
# or a UUID whose first groups happen to be digits: "57199269-2416-4681-a506-…", a sale's
# id a lane asks for), not the fraction of a decimal number ("succeeded in 0.026403654…s").
DIGIT_RUN = re.compile(
    r"(?<![0-9A-Za-z])(?<![0-9][ -])(?<![A-Za-z]-)(?<![0-9][.,])"
    r"[0-9](?:[ -]?[0-9]){12,18}"
    r"(?![ -]?[0-9])(?![A-Za-z])(?!-[0-9A-Za-z])"
)
# Track 1 (`%B<number>^`) and track 2 (`;<number>=`), as a keyboard reader types them, Caps
# Lock or not.
TRACK_DATA = re.compile(r"%B[0-9]{12,19}\^|;[0-9]{12,19}=", re.IGNORECASE)
# The major industry identifiers of payment cards (ISO/IEC 7812): 2 and 5 Mastercard, 3
# Amex, Diners and JCB, 4 Visa, 6 Discover, Maestro and UnionPay. Numbers starting 0, 1, 7,
# 8 or 9 are not payment cards: GS1 element strings ("01" + a GTIN-14), fuel and loyalty
# cards, national numbers.
PAYMENT_INDUSTRIES = frozenset("23456")
DINERS_14 = ("30", "36", "38", "39")


def ascii_digits(text: str) -> str:
    """Other scripts' decimal digits (Arabic-Indic, fullwidth…) as ASCII digits."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def card_numbers_in(text: str, *, typed: bool = False) -> list[str]:
    """Return what looks like a payment card number in `text` (digits only).

    `typed`: what a till refuses as typed or scanned, where a 13-digit number (no longer
    issued) or a 14-digit one other than Diners Club's cannot be told from a barcode typed
    with a wrong check digit, which the cashier must hear about as such."""
    text = ascii_digits(text)
    found = []
    for match in DIGIT_RUN.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if digits[0] not in PAYMENT_INDUSTRIES or not luhn.is_valid(digits):
            continue
        if len(digits) in (13, 14) and ean.is_valid(digits):
            continue  # a product's barcode
        if typed and (len(digits) == 13 or (len(digits) == 14 and digits[:2] not in DINERS_14)):
            continue
        found.append(digits)
    found.extend(re.sub(r"\D", "", m.group()) for m in TRACK_DATA.finditer(text))
    return found


def holds_card_number(text: str) -> bool:
    """True when typed text holds a card number or a swiped card's track data."""
    return bool(card_numbers_in(text, typed=True))
