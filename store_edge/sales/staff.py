"""Staff who work the lanes: signing in with a code and a PIN, and a supervisor's approval.

A PIN is short, so its hash alone protects little: what protects it is that five wrong PINs
in a row lock the code for a while (a manager can unlock it in the admin). The hash is a
PBKDF2 with fewer rounds than a password's, so that signing in never makes a cashier wait.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from functools import cache

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from store_edge.sales.errors import SalesError
from store_edge.sales.models import StaffMember, StaffRole

PIN = re.compile(r"^[0-9]{4,8}$")
STAFF_CODE = re.compile(r"^[A-Za-z0-9]{1,16}$")
APPROVERS = frozenset({StaffRole.SUPERVISOR, StaffRole.MANAGER})
MAX_FAILED_PINS = 5
LOCKOUT = timedelta(minutes=15)


class PinHasher(PBKDF2PasswordHasher):
    """PBKDF2 for PINs: 60,000 rounds (about 30 ms here)."""

    algorithm = "pin_pbkdf2_sha256"
    iterations = 60_000


class ApprovalRefused(SalesError):
    """The code and PIN given do not belong to an active supervisor."""


class SignInRefused(SalesError):
    """A wrong code or PIN, or a code locked after too many wrong PINs."""


class StaffError(ValueError):
    pass


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


def _pin_checked(*, code: str, pin: str, refused: type[SalesError], who: str) -> StaffMember:
    """Return the active staff member whose code and PIN these are, counting wrong PINs."""
    member = StaffMember.objects.filter(code=code[:16], active=True).first()
    now = timezone.now()
    if member is not None and member.locked_until is not None and member.locked_until > now:
        until = timezone.localtime(member.locked_until).strftime("%H:%M")
        raise refused(
            f"{who} {member.code} is locked after {MAX_FAILED_PINS} wrong PINs until {until}: "
            "a manager can unlock it sooner"
        )
    # A hash is checked even for an unknown code, so that timing tells nothing.
    valid = check_password(pin[:16], member.pin_hash if member else _unknown_code_hash())
    if member is None:
        raise refused(f"{who} code or PIN is wrong")
    if not valid:
        with transaction.atomic():
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


def cashier_sign_in(*, code: str, pin: str) -> StaffMember:
    """Return who signs in on a lane with this code and PIN, or refuse."""
    return _pin_checked(code=code, pin=pin, refused=SignInRefused, who="Staff")


def supervisor_approval(*, code: str, pin: str) -> StaffMember:
    """Return the supervisor whose code and PIN these are, or refuse the approval."""
    member = _pin_checked(code=code, pin=pin, refused=ApprovalRefused, who="Supervisor")
    if member.role not in APPROVERS:
        raise ApprovalRefused(f"{member.name} is not a supervisor")
    return member
