"""How a lane client proves which lane it is."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from store_edge.sales.models import Lane
from store_edge.sales.tokens import lane_for_token


class LaneTokenAuth(HttpBearer):
    """`Authorization: Bearer lane_…` as printed by `manage.py issue_lane_token`."""

    def authenticate(self, request: HttpRequest, token: str) -> Lane | None:
        return lane_for_token(token)


def request_lane(request: HttpRequest) -> Lane:
    """Return the lane the request was authenticated as."""
    lane: Any = request.auth  # type: ignore[attr-defined]
    assert isinstance(lane, Lane)  # noqa: S101 - the router's auth guarantees it
    return lane
