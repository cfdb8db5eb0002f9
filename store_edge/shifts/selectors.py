"""Reads of the lanes' shifts."""

from __future__ import annotations

import uuid

from store_edge.lanes.models import Lane
from store_edge.shifts.models import Shift


def shift_current(*, lane: Lane) -> Shift | None:
    """The lane's open shift, if one is."""
    return Shift.objects.filter(lane_id=lane.id, closed_at=None).first()


def shift_open_id(*, lane: Lane) -> uuid.UUID | None:
    """The id of the lane's open shift: what a sale completed now belongs to."""
    found: uuid.UUID | None = (
        Shift.objects.filter(lane_id=lane.id, closed_at=None).values_list("id", flat=True).first()
    )
    return found
