"""What the store refuses, in words a cashier can act on.

Each app's errors derive from one of these, and the lane API answers each kind with its
HTTP status once (store_edge.api): not found 404, conflict 409, invalid 422, forbidden
403, throttled 429. The message is shown to the cashier; `code` (when set) tells a client
what it can do about it. Plain Python: the pure rules raise them too.
"""


class DomainError(Exception):
    """A refusal whose message is shown to the cashier."""

    code = ""


class NotFound(DomainError):
    """What the request names does not exist here."""


class Conflict(DomainError):
    """The request does not fit the state it finds (a closed basket, an open shift)."""


class Invalid(DomainError):
    """A quantity, weight, amount or text that cannot be taken."""


class Forbidden(DomainError):
    """A code and PIN that do not allow this."""


class Throttled(DomainError):
    """Too many wrong tries: wait `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
