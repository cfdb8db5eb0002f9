"""Weighing scales: one interface over Mettler Toledo 8217, NCI SCP-02, MT-SICS and Modbus.

A driver's `read()` returns a Reading (weight, unit, stable, status, when); `zero()` and
`tare()` ask the scale to zero or tare. Only `sellable_weight()` turns a reading into a
weight that may be sold: a reading in motion, under zero, over capacity, in error or
older than a second never is.
"""

from devices.scales.reading import (
    MAX_AGE_SECONDS,
    Reading,
    ScaleError,
    ScaleNoAnswer,
    ScaleProtocolError,
    ScaleStatus,
    ScaleUnsellable,
    sellable_weight,
)

__all__ = [
    "MAX_AGE_SECONDS",
    "Reading",
    "ScaleError",
    "ScaleNoAnswer",
    "ScaleProtocolError",
    "ScaleStatus",
    "ScaleUnsellable",
    "sellable_weight",
]
