"""Reading column values that raw SQL hands back from SQLite."""

from decimal import Decimal
from typing import Any


def decimal_of(value: Any, quantum: Decimal) -> Decimal:
    """Read a DecimalField column as an exact Decimal.

    SQLite gives NUMERIC columns back as int or float; the float's shortest repr is the
    decimal that was written (Django's own converter does the same quantize).
    """
    return Decimal(repr(value) if isinstance(value, float) else value).quantize(quantum)
