"""What can go wrong while ringing up a sale, in words a cashier can act on."""


class SalesError(Exception):
    """Base of the sales domain errors; the message is shown to the cashier."""


class BasketNotFound(SalesError):
    pass


class BasketClosed(SalesError):
    pass


class BasketUnpaid(SalesError):
    pass


class BasketEmpty(SalesError):
    pass


class BasketPaid(SalesError):
    """Nothing more is due: the basket waits to be completed."""


class InvalidItem(SalesError):
    """A quantity, weight or amount that cannot be sold."""


class SaleNotFound(SalesError):
    pass
