"""The store's lanes (its cash registers) and the bearer tokens of their API clients.

The tables keep the names they had when these models were part of the sales app (`sales_*`):
no row moved when the app was split.
"""

from django.db import models


class Lane(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "sales_lane"
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name or f"Lane {self.number}"


class LaneToken(models.Model):
    """A bearer token for a lane's API client; only its SHA-256 is kept."""

    lane = models.ForeignKey(Lane, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="first characters, to tell tokens apart")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "sales_lanetoken"

    def __str__(self) -> str:
        return f"{self.lane} token {self.prefix}…"
