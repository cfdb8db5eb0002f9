"""Staff who work the lanes, and a supervisor's approval by PIN."""

from __future__ import annotations

import re
import secrets
from functools import cache

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from store_edge.sales.errors import SalesError
from store_edge.sales.models import StaffMember, StaffRole

PIN = re.compile(r"^[0-9]{4,8}$")
STAFF_CODE = re.compile(r"^[A-Za-z0-9]{1,16}$")
APPROVERS = frozenset({StaffRole.SUPERVISOR, StaffRole.MANAGER})


class ApprovalRefused(SalesError):
    """The code and PIN given do not belong to an active supervisor."""


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
            code=code, name=name.strip(), role=role, pin_hash=make_password(pin)
        )


@cache
def _unknown_code_hash() -> str:
    return make_password(secrets.token_hex(8))


def supervisor_approval(*, code: str, pin: str) -> StaffMember:
    """Return the supervisor whose code and PIN these are, or refuse the approval."""
    member = StaffMember.objects.filter(code=code[:16], active=True).first()
    # A hash is checked even for an unknown code, so that timing tells nothing.
    valid = check_password(pin[:16], member.pin_hash if member else _unknown_code_hash())
    if member is None or not valid:
        raise ApprovalRefused("Supervisor code or PIN is wrong")
    if member.role not in APPROVERS:
        raise ApprovalRefused(f"{member.name} is not a supervisor")
    return member
