"""Staff who work the lanes: signing in with a code and a PIN, and a supervisor's approval.

A PIN is short, so its hash alone protects little: what protects it is that five wrong PINs
in a row lock the code for a while (a manager can unlock it in the admin), and that a lane
or a network address giving many wrong codes or PINs in a few minutes is held off whatever
codes it tries (guessing one common PIN across every code). The hash is a PBKDF2 with fewer
rounds than a password's, so that signing in never makes a cashier wait.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from store_edge.errors import Forbidden
from store_edge.staff.errors import ApprovalRefused, PinsThrottled, SignInRefused, StaffError
from store_edge.staff.hashers import PinHasher
from store_edge.staff.models import FailedPin, StaffMember, StaffRole

PIN = re.compile(r"^[0-9]{4,8}$")
STAFF_CODE = re.compile(r"^[A-Za-z0-9]{1,16}$")
APPROVERS = frozenset({StaffRole.SUPERVISOR, StaffRole.MANAGER})
MAX_FAILED_PINS = 5
LOCKOUT = timedelta(minutes=15)
# Wrong codes or PINs one lane, or one network address, may give within THROTTLE_WINDOW.
THROTTLE_WINDOW = timedelta(minutes=5)
MAX_FAILED_PER_LANE = 10
MAX_FAILED_PER_ADDRESS = 20
FAILED_PIN_KEEP = timedelta(days=7)


@dataclass(frozen=True)
class PinGivenAt:
    """Where a code and PIN were typed: the lane (if known) and the client's address."""

    lane_id: int | None = None
    address: str | None = None


def _throttled(where: PinGivenAt, now: datetime) -> None:
    """Refuse at once when the lane or the address gave too many wrong PINs lately."""
    since = now - THROTTLE_WINDOW
    for scope, limit, recent in (
        ("lane", MAX_FAILED_PER_LANE,
         FailedPin.objects.filter(lane_id=where.lane_id, at__gt=since) if where.lane_id else None),
        ("address", MAX_FAILED_PER_ADDRESS,
         FailedPin.objects.filter(address=where.address, at__gt=since) if where.address else None),
    ):  # fmt: skip
        if recent is None or recent.count() < limit:
            continue
        first = recent.order_by("at").values_list("at", flat=True).first() or now
        wait = max(1, int((first + THROTTLE_WINDOW - now).total_seconds()) + 1)
        raise PinsThrottled(
            f"Too many wrong codes or PINs on this {scope}: try again in "
            f"{max(1, round(wait / 60))} min, or ask a manager",
            retry_after=wait,
        )


def _failed(where: PinGivenAt, member: StaffMember | None, now: datetime) -> None:
    # Only a real staff code is kept: what was typed for an unknown one may be a code and
    # its PIN run together, or anything else a cashier should not leave behind.
    code = member.code if member is not None else ""
    FailedPin.objects.create(at=now, lane_id=where.lane_id, address=where.address, code=code)
    FailedPin.objects.filter(at__lt=now - FAILED_PIN_KEEP).delete()


def staff_member_create(*, code: str, name: str, role: str, pin: str) -> StaffMember:
    """Add someone who works the lanes; the PIN is kept hashed."""
    if not STAFF_CODE.fullmatch(code):
        raise StaffError("a staff code is 1-16 letters or digits")
    if role not in StaffRole.values:
        raise StaffError(f"role must be one of {', '.join(StaffRole.values)}")
    if not PIN.fullmatch(pin):
        raise StaffError("a PIN is 4 to 8 digits")
    if not name.strip() or len(name) > 100:
        raise StaffError("a name of at most 100 characters is needed")
    with transaction.atomic():
        if StaffMember.objects.filter(code=code).exists():
            raise StaffError(f"staff code {code} is taken")
        return StaffMember.objects.create(
            code=code,
            name=name.strip(),
            role=role,
            pin_hash=make_password(pin, hasher=PinHasher.algorithm),
        )


def staff_unlock(*, member: StaffMember) -> None:
    """Let a locked code sign in again (a manager's action)."""
    StaffMember.objects.filter(pk=member.pk).update(failed_pins=0, locked_until=None)


@cache
def _unknown_code_hash() -> str:
    return make_password(secrets.token_hex(8), hasher=PinHasher.algorithm)


def _pin_checked(
    *, code: str, pin: str, refused: type[Forbidden], who: str, where: PinGivenAt
) -> StaffMember:
    """Return the active staff member whose code and PIN these are, counting wrong PINs."""
    now = timezone.now()
    _throttled(where, now)
    member = StaffMember.objects.filter(code=code[:16], active=True).first()
    if member is not None and member.locked_until is not None and member.locked_until > now:
        _failed(where, member, now)
        until = timezone.localtime(member.locked_until).strftime("%H:%M")
        raise refused(
            f"{who} {member.code} is locked after {MAX_FAILED_PINS} wrong PINs until {until}: "
            "a manager can unlock it sooner"
        )
    # A hash is checked even for an unknown code, so that timing tells nothing.
    valid = check_password(pin[:16], member.pin_hash if member else _unknown_code_hash())
    if member is None:
        _failed(where, member, now)
        raise refused(f"{who} code or PIN is wrong")
    if not valid:
        with transaction.atomic():
            _failed(where, member, now)
            StaffMember.objects.filter(pk=member.pk).update(failed_pins=F("failed_pins") + 1)
            failed = StaffMember.objects.values_list("failed_pins", flat=True).get(pk=member.pk)
            if failed >= MAX_FAILED_PINS:
                StaffMember.objects.filter(pk=member.pk).update(
                    failed_pins=0, locked_until=now + LOCKOUT
                )
        if failed >= MAX_FAILED_PINS:
            raise refused(
                f"{who} {member.code} is now locked for {LOCKOUT.seconds // 60} minutes "
                f"after {MAX_FAILED_PINS} wrong PINs"
            )
        left = MAX_FAILED_PINS - failed
        raise refused(f"{who} code or PIN is wrong ({left} {'try' if left == 1 else 'tries'} left)")
    if member.failed_pins or member.locked_until:
        staff_unlock(member=member)
    return member


def cashier_sign_in(*, code: str, pin: str, where: PinGivenAt) -> StaffMember:
    """Return who signs in on a lane with this code and PIN, or refuse."""
    return _pin_checked(code=code, pin=pin, refused=SignInRefused, who="Staff", where=where)


def supervisor_approval(*, code: str, pin: str, where: PinGivenAt) -> StaffMember:
    """Return the supervisor whose code and PIN these are, or refuse the approval.

    The approval is given in the same request as the action it approves (a price override,
    a return without receipt) and recorded with it: nothing is kept that could approve
    another action later."""
    member = _pin_checked(
        code=code, pin=pin, refused=ApprovalRefused, who="Supervisor", where=where
    )
    if member.role not in APPROVERS:
        raise ApprovalRefused(f"{member.name} is not a supervisor")
    return member
