"""Refusals of a staff code and PIN."""

from store_edge.errors import Forbidden, Throttled


class ApprovalRefused(Forbidden):
    """The code and PIN given do not belong to an active supervisor."""


class SignInRefused(Forbidden):
    """A wrong code or PIN, or a code locked after too many wrong PINs."""


class PinsThrottled(Throttled):
    """Too many wrong codes or PINs from one lane or one address: wait before trying again."""


class StaffError(ValueError):
    """Staff details that cannot be kept (a taken code, a PIN that is not 4-8 digits)."""
