"""Who works the lanes, and the wrong codes and PINs given at them.

The tables keep the names they had when these models were part of the sales app (`sales_*`):
no row moved when the app was split.
"""

from django.db import models


class StaffRole(models.TextChoices):
    CASHIER = "cashier", "cashier"
    SUPERVISOR = "supervisor", "supervisor"
    MANAGER = "manager", "manager"


class StaffMember(models.Model):
    """Someone who works the lanes: signs in with a code and a PIN (kept hashed)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=16, choices=StaffRole.choices)
    pin_hash = models.CharField(max_length=256)
    active = models.BooleanField(default=True)
    failed_pins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "sales_staffmember"

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.role})"


class FailedPin(models.Model):
    """A wrong staff code or PIN given at a lane: what the throttle per lane and per network
    address counts (a code's own lock-out is on StaffMember)."""

    at = models.DateTimeField()
    lane = models.ForeignKey("lanes.Lane", null=True, blank=True, on_delete=models.SET_NULL)
    address = models.GenericIPAddressField(null=True, blank=True)
    code = models.CharField(max_length=16)

    class Meta:
        db_table = "sales_failedpin"
        indexes = [
            models.Index(fields=["lane", "at"], name="failedpin_lane_at"),
            models.Index(fields=["address", "at"], name="failedpin_address_at"),
            models.Index(fields=["at"], name="failedpin_at"),
        ]

    def __str__(self) -> str:
        return f"{self.code} at {self.at:%Y-%m-%d %H:%M:%S}"
