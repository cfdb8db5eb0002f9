"""The shared table of price-in-force cases (price_in_force.json), read for either project's
tests."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).with_name("price_in_force.json")).read_text()
)["cases"]


def moment(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def money(value: str) -> Decimal:
    return Decimal(value)
