"""A scale reading, and the rule for when it may be sold."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Flag, auto
from typing import Any

MAX_AGE_SECONDS = 1.0
GRAM = Decimal("0.001")
MAX_SELLABLE_KG = Decimal(1_000_000)  # no scale at a till weighs a thousand tonnes


class ScaleError(Exception):
    """The scale could not be read; the message says what a technician should check."""


class ScaleNoAnswer(ScaleError):
    """The scale did not answer within its timeout."""


class ScaleProtocolError(ScaleError):
    """The scale answered something this protocol does not allow (wrong protocol, noise)."""


class ScaleUnsellable(Exception):
    """A reading that may not be sold; the message is for the cashier."""


class ScaleStatus(Flag):
    OK = 0
    MOTION = auto()
    OVER_CAPACITY = auto()
    UNDER_ZERO = auto()
    OUTSIDE_ZERO_RANGE = auto()
    CENTER_OF_ZERO = auto()
    ERROR = auto()

    def names(self) -> list[str]:
        return [flag.name.lower() for flag in ScaleStatus if flag and flag in self and flag.name]


BLOCKING = (
    ScaleStatus.MOTION | ScaleStatus.OVER_CAPACITY | ScaleStatus.UNDER_ZERO | ScaleStatus.ERROR
)


@dataclass(frozen=True, slots=True)
class Reading:
    weight: Decimal | None  # in `unit`; None when the scale sent only its status
    unit: str  # "kg" (a scale reporting pounds is refused by the drivers)
    stable: bool
    status: ScaleStatus = ScaleStatus.OK
    at: float = field(default_factory=time.time)  # Unix seconds when it was read

    def as_json(self) -> dict[str, Any]:
        return {
            "weight": None if self.weight is None else str(self.weight),
            "unit": self.unit,
            "stable": self.stable,
            "status": self.status.names(),
            "at": self.at,
        }

    @classmethod
    def from_json(cls, data: Any) -> Reading:
        """Return the reading `as_json` wrote, or raise ValueError for anything else."""
        if not isinstance(data, dict):
            raise ValueError(f"a reading is a JSON object, not {type(data).__name__}")
        names = data.get("status", [])
        if not isinstance(names, list) or not all(
            isinstance(name, str) and name.upper() in ScaleStatus.__members__ for name in names
        ):
            raise ValueError(f"unknown scale status {str(names)[:80]}")
        status = ScaleStatus.OK
        for name in names:
            status |= ScaleStatus[name.upper()]
        weight = data.get("weight")
        return cls(
            weight=None if weight is None else _finite_decimal(weight),
            unit=str(data.get("unit", "kg")),
            stable=bool(data.get("stable")),
            status=status,
            at=_finite_float(data.get("at", 0)),
        )


def _finite_decimal(value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValueError(f"not a weight: {str(value)[:80]}")
    return number


def _finite_float(value: Any) -> float:
    try:
        number = float(value) if isinstance(value, int | float | str) else math.nan
    except OverflowError:  # an integer beyond any float
        number = math.nan
    if not math.isfinite(number):
        raise ValueError(f"not a time: {str(value)[:80]}")
    return number


def sellable_weight(reading: Reading, *, now: float | None = None) -> Decimal:
    """Return the weight in kg that may be sold, or raise ScaleUnsellable with the reason."""
    age = (time.time() if now is None else now) - reading.at
    if not -MAX_AGE_SECONDS <= age <= MAX_AGE_SECONDS:  # a NaN time is never fresh
        raise ScaleUnsellable("the scale reading is too old: the scale is not answering")
    if ScaleStatus.OVER_CAPACITY in reading.status:
        raise ScaleUnsellable("the scale is over capacity: take something off")
    if ScaleStatus.UNDER_ZERO in reading.status:
        raise ScaleUnsellable("the scale is under zero: zero it with the scale empty")
    if ScaleStatus.ERROR in reading.status:
        raise ScaleUnsellable("the scale reports an error")
    if ScaleStatus.MOTION in reading.status or not reading.stable:
        raise ScaleUnsellable("the scale is moving: wait for a stable weight")
    if reading.weight is None or reading.unit != "kg":
        raise ScaleUnsellable("the scale sent no weight in kg")
    if not reading.weight.is_finite() or abs(reading.weight) > MAX_SELLABLE_KG:
        raise ScaleUnsellable("the scale sent an impossible weight: check the scale")
    weight = reading.weight.quantize(GRAM)
    if weight <= 0:
        raise ScaleUnsellable("nothing on the scale")
    return weight
