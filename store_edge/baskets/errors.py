"""What can go wrong while ringing up a basket."""

from store_edge.errors import Conflict, Invalid, NotFound


class BasketNotFound(NotFound):
    pass


class BasketClosed(Conflict):
    pass


class BasketUnpaid(Conflict):
    pass


class BasketEmpty(Conflict):
    pass


class BasketPaid(Conflict):
    """Nothing more is due: the basket waits to be completed."""


class InvalidItem(Invalid):
    """A quantity, weight or amount that cannot be sold."""
