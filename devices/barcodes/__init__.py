"""What a scanned or typed code means: a GTIN with a valid check digit or a produce PLU."""

from devices.barcodes.codes import BarcodeError, ScannedCode, normalize_gtin, parse_code

__all__ = ["BarcodeError", "ScannedCode", "normalize_gtin", "parse_code"]
