"""What a scanned or typed code means: GTINs (with GS1 data), variable-measure codes, PLUs."""

from devices.barcodes.codes import (
    DEFAULT_RULES,
    RCN_COUNTRIES,
    BarcodeError,
    BarcodeRules,
    CodeKind,
    RcnLayout,
    ScannedCode,
    is_store_label,
    normalize_gtin,
    parse_code,
)

__all__ = [
    "DEFAULT_RULES",
    "RCN_COUNTRIES",
    "BarcodeError",
    "BarcodeRules",
    "CodeKind",
    "RcnLayout",
    "ScannedCode",
    "is_store_label",
    "normalize_gtin",
    "parse_code",
]
