"""Lane tokens: bearer credentials for a lane's API client. Only a digest is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from store_edge.lanes.models import Lane, LaneToken
from store_edge.raw_sqlite import raw_cursor

TOKEN_PREFIX = "lane_"  # noqa: S105 - a marker, not a secret


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lane_token_issue(*, lane_number: int) -> tuple[Lane, str]:
    """Create a token for a lane (creating the lane if it is new) and return it once."""
    if not 1 <= lane_number <= 999:
        raise ValueError("lane number must be between 1 and 999")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        lane, _ = Lane.objects.get_or_create(number=lane_number)
        LaneToken.objects.create(lane=lane, digest=_digest(token), prefix=token[:8])
    return lane, token


def lane_token_revoke(*, lane_number: int) -> int:
    """Revoke every live token of a lane; return how many were revoked."""
    with transaction.atomic():
        return LaneToken.objects.filter(lane__number=lane_number, revoked_at=None).update(
            revoked_at=timezone.now()
        )


def lane_for_token(token: str) -> Lane | None:
    """Return the lane a live token belongs to, or None (one indexed query, every request)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 128:
        return None
    with raw_cursor() as cursor:
        cursor.execute(
            "SELECT l.id, l.number, l.name FROM sales_lanetoken t"
            " JOIN sales_lane l ON l.id = t.lane_id"
            " WHERE t.digest = ? AND t.revoked_at IS NULL",
            [_digest(token)],
        )
        row = cursor.fetchone()
    return None if row is None else Lane(id=row[0], number=row[1], name=row[2])
