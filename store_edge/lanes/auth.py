"""How a lane client proves which lane it is, and who works it.

Two kinds of client use the lane API: a program holding the lane's bearer token, and the
cashier's POS page in a browser. The page's browser was set up once as a lane (the token is
kept in an HttpOnly cookie) and a cashier signs in on it with a code and PIN (kept in the
session). Its requests are checked for CSRF like any form post.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from deploy.web.security import client_address
from store_edge.lanes.models import Lane
from store_edge.lanes.tokens import lane_for_token
from store_edge.staff.models import StaffMember
from store_edge.staff.services import PinGivenAt

LANE_COOKIE = "pos_lane"
SESSION_KEY = "pos"


@dataclass(frozen=True)
class PosSession:
    """Who is signed in on the lane page, kept in the Django session."""

    lane_id: int
    cashier: str
    name: str
    role: str
    locked: bool = False

    @classmethod
    def of(cls, request: HttpRequest) -> PosSession | None:
        data = request.session.get(SESSION_KEY)
        if not isinstance(data, dict):
            return None
        try:
            return cls(**data)
        except TypeError:
            return None

    def keep(self, request: HttpRequest) -> None:
        request.session[SESSION_KEY] = {
            "lane_id": self.lane_id, "cashier": self.cashier, "name": self.name,
            "role": self.role, "locked": self.locked,
        }  # fmt: skip


def pos_session_start(request: HttpRequest, *, lane: Lane, member: StaffMember) -> PosSession:
    request.session.cycle_key()  # a new session id at every sign-in
    session = PosSession(lane.id, member.code, member.name, member.role)
    session.keep(request)
    request.session.set_expiry(12 * 3600)
    return session


def cookie_lane(request: HttpRequest) -> Lane | None:
    """The lane this browser was set up as, if its token is still live."""
    token = request.COOKIES.get(LANE_COOKIE)
    return lane_for_token(token) if token else None


class LaneTokenAuth(HttpBearer):
    """`Authorization: Bearer lane_…` as printed by `manage.py issue_lane_token`."""

    def authenticate(self, request: HttpRequest, token: str) -> Lane | None:
        return lane_for_token(token)


class PosSessionAuth(APIKeyCookie):
    """The POS page: the lane's cookie, a cashier signed in and not locked, and CSRF."""

    param_name = LANE_COOKIE

    def _get_key(self, request: HttpRequest) -> str | None:
        if LANE_COOKIE not in request.COOKIES:
            return None  # not a page: no CSRF check to fail, the bearer answer stands
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Lane | None:
        session = PosSession.of(request)
        if not key or session is None or session.locked:
            return None
        lane = lane_for_token(key)
        if lane is None or lane.id != session.lane_id:
            return None
        request.pos_cashier = session.cashier  # type: ignore[attr-defined]
        return lane


LANE_AUTH = [LaneTokenAuth(), PosSessionAuth()]


def request_lane(request: HttpRequest) -> Lane:
    """Return the lane the request was authenticated as."""
    lane: Any = request.auth  # type: ignore[attr-defined]
    assert isinstance(lane, Lane)  # noqa: S101 - the router's auth guarantees it
    return lane


def pin_given_at(request: HttpRequest, lane: Lane | None) -> PinGivenAt:
    """Where a code and PIN come from, for the throttle per lane and per address."""
    return PinGivenAt(lane_id=lane.id if lane else None, address=client_address(request))


def request_cashier(request: HttpRequest, given: str = "") -> str:
    """The cashier signed in on the page; an API client names one itself."""
    return str(getattr(request, "pos_cashier", "") or given)
