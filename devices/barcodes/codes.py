"""Parse codes into GTINs (check digit verified) and PLUs.

GTINs are normalised to 14 digits so that an EAN-13, its UPC-A form and a GTIN-14 with
packaging indicator 0 look the product up under one key.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from stdnum import ean
from stdnum.exceptions import ValidationError

MAX_CODE_LENGTH = 128
GTIN_LENGTHS = frozenset({8, 12, 13, 14})
PLU_LENGTHS = frozenset({4, 5})


class BarcodeError(ValueError):
    """A code that cannot be a product code; the message says why, for the cashier."""


class CodeKind(StrEnum):
    GTIN = "gtin"
    PLU = "plu"


@dataclass(frozen=True, slots=True)
class ScannedCode:
    kind: CodeKind
    value: str  # GTIN-14 for GTINs, the PLU digits for PLUs

    @property
    def gtin(self) -> str | None:
        return self.value if self.kind is CodeKind.GTIN else None

    @property
    def plu(self) -> str | None:
        return self.value if self.kind is CodeKind.PLU else None


def normalize_gtin(code: str) -> str:
    """Return the GTIN-14 form of an EAN-8/UPC-A/EAN-13/GTIN-14, or raise BarcodeError."""
    if not code.isascii() or not code.isdigit() or len(code) not in GTIN_LENGTHS:
        raise BarcodeError(f"{code!r} is not a GTIN: expected 8, 12, 13 or 14 digits")
    try:
        ean.validate(code)
    except ValidationError as exc:
        raise BarcodeError(f"{code} has a wrong check digit") from exc
    return code.zfill(14)


def parse_code(raw: str) -> ScannedCode:
    """Return what a scanned or typed code means, or raise BarcodeError."""
    if len(raw) > MAX_CODE_LENGTH:
        raise BarcodeError(f"code is too long ({len(raw)} characters)")
    code = raw.strip()
    if not code:
        raise BarcodeError("empty code")
    if not code.isascii() or not code.isdigit():
        raise BarcodeError(f"{code!r} is not a product code: only digits are expected")
    if len(code) in PLU_LENGTHS:
        return ScannedCode(CodeKind.PLU, _valid_plu(code))
    return ScannedCode(CodeKind.GTIN, normalize_gtin(code))


def _valid_plu(code: str) -> str:
    # IFPS PLUs are 3000-4999 (conventional) and 83000-84999 / 93000-94999 (organic);
    # stores also assign their own four-digit codes, so any 4 digits are accepted, and
    # five-digit codes must carry the 8 (GMO) or 9 (organic) prefix.
    if len(code) == 5 and code[0] not in "89":
        raise BarcodeError(f"{code} is not a PLU: five-digit PLUs start with 8 or 9")
    return code
