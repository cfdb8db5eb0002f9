"""What can go wrong while ringing up a sale, in words a cashier can act on."""


class SalesError(Exception):
    """Base of the sales domain errors; the message is shown to the cashier, and `code`
    (when set) tells a client what it can do about it."""

    code = ""


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


class WeightNeeded(InvalidItem):
    """A weighed item on a lane without a scale: the cashier gives the weight."""

    code = "weight_needed"


class ScaleNotReady(InvalidItem):
    """The lane's scale gave no sellable weight yet (moving, empty, away): weigh again."""

    code = "scale_not_ready"


class SaleNotFound(SalesError):
    pass
