"""Refusals of a shift operation."""

from store_edge.errors import Conflict, Invalid


class ShiftError(Conflict):
    """A shift operation that does not fit the lane's state (no shift open, one already)."""


class InvalidAmount(Invalid):
    """A float, a count or a cash movement that is not an amount of cash."""
