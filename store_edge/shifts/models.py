"""Cashiers' shifts on the lanes, and the cash paid into or out of their drawers.

The tables keep the names they had when these models were part of the sales app (`sales_*`):
no row moved when the app was split.
"""

import uuid

from django.db import models


class Shift(models.Model):
    """A cashier's shift on a lane: opened with a float, closed with the cash counted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lane = models.ForeignKey("lanes.Lane", on_delete=models.PROTECT, related_name="shifts")
    cashier = models.CharField(max_length=16)
    opened_at = models.DateTimeField()
    opening_float = models.DecimalField(max_digits=12, decimal_places=2)
    closed_at = models.DateTimeField(null=True, blank=True)
    counted_cash = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    expected_cash = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    card_terminal = models.JSONField(
        null=True, blank=True,
        help_text="the lane terminal's end of day at the close, against the card tenders",
    )  # fmt: skip

    class Meta:
        db_table = "sales_shift"
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lane"], condition=models.Q(closed_at=None), name="one_open_shift_per_lane"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lane} shift of {self.cashier} from {self.opened_at:%Y-%m-%d %H:%M}"


class CashMovementKind(models.TextChoices):
    PAID_IN = "paid_in", "paid in"
    PAID_OUT = "paid_out", "paid out"
    NO_SALE = "no_sale", "no sale (the drawer opened, nothing paid)"


class CashMovement(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="cash_movements")
    kind = models.CharField(max_length=8, choices=CashMovementKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=200)
    at = models.DateTimeField()
    by = models.CharField(max_length=16, blank=True, help_text="the cashier on the lane")

    class Meta:
        db_table = "sales_cashmovement"

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"
