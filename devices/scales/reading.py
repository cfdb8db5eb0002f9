"""A scale reading, and the rule for when it may be sold."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Flag, auto
from typing import Any

MAX_AGE_SECONDS = 1.0
GRAM = Decimal("0.001")


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
    def from_json(cls, data: dict[str, Any]) -> Reading:
        status = ScaleStatus.OK
        for name in data.get("status", []):
            status |= ScaleStatus[str(name).upper()]
        weight = data.get("weight")
        return cls(
            weight=None if weight is None else Decimal(str(weight)),
            unit=str(data.get("unit", "kg")),
            stable=bool(data.get("stable")),
            status=status,
            at=float(data.get("at", 0)),
        )


def sellable_weight(reading: Reading, *, now: float | None = None) -> Decimal:
    """Return the weight in kg that may be sold, or raise ScaleUnsellable with the reason."""
    age = (time.time() if now is None else now) - reading.at
    if age > MAX_AGE_SECONDS or age < -MAX_AGE_SECONDS:
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
    if reading.weight <= 0:
        raise ScaleUnsellable("nothing on the scale")
    return reading.weight.quantize(GRAM)
